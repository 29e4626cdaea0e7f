"""Settings come from the environment; production mode passes `check --deploy`."""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

PRINT_SETTINGS = """
import json, django
from django.conf import settings
django.setup()
db = settings.DATABASES["default"]
print(json.dumps({
    "engine": db["ENGINE"], "name": str(db["NAME"]), "debug": settings.DEBUG,
    "hosts": settings.ALLOWED_HOSTS, "eager": settings.CELERY_TASK_ALWAYS_EAGER,
    "broker": settings.CELERY_BROKER_URL, "email": settings.EMAIL_BACKEND,
}))
"""


def run(code_or_args, **env):
    clean = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DATABASE_URL", "REDIS_URL", "DEBUG", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    }
    clean.update(env)
    args = code_or_args if isinstance(code_or_args, list) else ["-c", code_or_args]
    return subprocess.run(
        [sys.executable, *args], cwd=ROOT, env=clean, capture_output=True, text=True, timeout=120
    )


def settings_with(**env):
    env.setdefault("DJANGO_SETTINGS_MODULE", "schoolplan.settings")
    result = run(PRINT_SETTINGS, **env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_embedded_default():
    values = settings_with()
    assert values["engine"] == "django.db.backends.sqlite3"
    assert values["name"].endswith("var/schoolplan.sqlite3")
    assert values["eager"] is True
    assert values["email"] == "django.core.mail.backends.console.EmailBackend"
    assert values["debug"] is False


def test_environment_overrides():
    values = settings_with(
        DATABASE_URL="postgres://sp:secret@db.example.org:5432/schoolplan",
        REDIS_URL="redis://cache.example.org:6379/0",
        DEBUG="1",
        ALLOWED_HOSTS="schoolplan.example.org,www.example.org",
        EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
    )
    assert values["engine"] == "django.db.backends.postgresql"
    assert values["name"] == "schoolplan"
    assert values["eager"] is False
    assert values["broker"] == "redis://cache.example.org:6379/0"
    assert values["debug"] is True
    assert values["hosts"] == ["schoolplan.example.org", "www.example.org"]
    assert values["email"] == "django.core.mail.backends.smtp.EmailBackend"


def test_production_refuses_the_development_key():
    result = run(PRINT_SETTINGS, DJANGO_SETTINGS_MODULE="schoolplan.settings_production")
    assert result.returncode != 0
    assert "Set SECRET_KEY" in result.stderr


PRODUCTION = {
    "DJANGO_SETTINGS_MODULE": "schoolplan.settings_production",
    "SECRET_KEY": "x7!kq2-production-like-secret-key-for-the-deploy-check-9f3b1c0a5e",
    "ALLOWED_HOSTS": "schoolplan.example.org",
    "SITE_URL": "https://schoolplan.example.org",
    "DEFAULT_FROM_EMAIL": "SchoolPlan <schoolplan@example.org>",
    "REDIS_URL": "redis://redis.example.org:6379/0",  # not contacted by the checks
}


def check_deploy(**env):
    return run(
        ["manage.py", "check", "--deploy", "--fail-level", "WARNING"], **{**PRODUCTION, **env}
    )


def test_production_passes_check_deploy_without_warnings():
    result = check_deploy(DEBUG="1")  # production ignores DEBUG
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout


def test_check_deploy_warns_when_two_factor_sign_in_is_not_required():
    result = check_deploy(TWO_FACTOR_REQUIRED="0")
    assert result.returncode != 0
    assert "schoolplan.W001" in result.stdout + result.stderr


def test_check_deploy_fails_without_a_real_site_url():
    """Every e-mail's links start with SITE_URL: unset, they lead to 127.0.0.1:8000."""
    env = {k: v for k, v in PRODUCTION.items() if k != "SITE_URL"}
    result = run(["manage.py", "check", "--deploy"], **env)  # errors fail at the default level
    assert result.returncode != 0 and "schoolplan.E001" in result.stderr
    for url in ("http://schoolplan.example.org", "https://localhost:8000"):
        result = run(["manage.py", "check", "--deploy"], **{**PRODUCTION, "SITE_URL": url})
        assert result.returncode != 0 and "schoolplan.E001" in result.stderr, url


def test_check_deploy_warns_about_a_localhost_sender():
    result = check_deploy(DEFAULT_FROM_EMAIL="SchoolPlan <schoolplan@localhost>")
    assert result.returncode != 0
    assert "schoolplan.W002" in result.stdout + result.stderr


def test_check_deploy_warns_without_redis():
    """issue 24: the cache is each process's own without Redis, and nothing runs beat."""
    env = {k: v for k, v in PRODUCTION.items() if k != "REDIS_URL"}
    result = run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], **env)
    assert result.returncode != 0
    assert "schoolplan.W003" in result.stdout + result.stderr
    assert "schoolplan.W003" not in check_deploy().stderr


def test_production_keeps_database_connections_and_trusts_proxies_only_when_told():
    code = (
        "import json, django; from django.conf import settings; django.setup(); "
        "print(json.dumps([settings.DATABASES['default']['CONN_MAX_AGE'], "
        "getattr(settings, 'SECURE_PROXY_SSL_HEADER', None), settings.TRUSTED_PROXY_COUNT]))"
    )
    result = run(code, **PRODUCTION)
    assert json.loads(result.stdout) == [60, None, 0], result.stderr
    result = run(code, **PRODUCTION, TRUSTED_PROXY_COUNT="1", DB_CONN_MAX_AGE="0")
    assert json.loads(result.stdout) == [0, ["HTTP_X_FORWARDED_PROTO", "https"], 1]


def test_every_page_carries_a_content_security_policy_without_inline_script(client):
    response = client.get("/accounts/login/")
    policy = response["Content-Security-Policy"]
    script = next(part for part in policy.split("; ") if part.startswith("script-src"))
    assert script == "script-src 'self'" and "frame-ancestors 'none'" in policy


def test_no_template_has_inline_script_or_event_handlers():
    import re
    from pathlib import Path

    from django.conf import settings

    offenders = []
    for path in (Path(settings.BASE_DIR) / "templates").rglob("*.html"):
        text = path.read_text(encoding="utf-8")
        if (
            re.search(r"<script(?![^>]*\bsrc=)[^>]*>", text)
            or re.search(r"\son[a-z]+=\"", text)
            or "javascript:" in text
        ):
            offenders.append(path.name)
    assert offenders == []


def test_production_keeps_nothing_per_process_when_redis_is_given():
    """issue 24: several web nodes share the cache (the families' pages, throttles, progress),
    the sessions and the lock-outs: Redis and PostgreSQL, never one process's memory or disk."""
    code = (
        "import json, django; from django.conf import settings; django.setup(); "
        "print(json.dumps([settings.CACHES['default']['BACKEND'], settings.SESSION_ENGINE, "
        "getattr(settings, 'AXES_HANDLER', 'axes.handlers.database.AxesDatabaseHandler'), "
        "settings.CELERY_BROKER_URL]))"
    )
    result = run(code, **{**PRODUCTION, "REDIS_URL": "redis://cache.example.org:6379/0"})
    assert json.loads(result.stdout) == [
        "django.core.cache.backends.redis.RedisCache",
        "django.contrib.sessions.backends.db",
        "axes.handlers.database.AxesDatabaseHandler",
        "redis://cache.example.org:6379/0",
    ], result.stderr
