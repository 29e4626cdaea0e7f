"""The production shape as a district's IT team meets it: docker-compose.yml, the Dockerfile,
gunicorn.conf.py and the README's configuration table."""

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml
from django.core.cache import cache
from django.core.management import CommandError, call_command

from ..conftest import IN_CI

ROOT = Path(__file__).resolve().parents[2]
COMPOSE_ENV = {
    "SECRET_KEY": "x" * 50,
    "ALLOWED_HOSTS": "schoolplan.example.org",
    "POSTGRES_PASSWORD": "secret",
    "SITE_URL": "https://schoolplan.example.org",
    "DEFAULT_FROM_EMAIL": "SchoolPlan <schoolplan@example.org>",
}


@pytest.fixture(scope="module")
def compose(tmp_path_factory):
    """The compose file as `docker-compose config` resolves it (Debian's docker-compose)."""
    tool = shutil.which("docker-compose")
    if tool is None:
        if IN_CI:
            pytest.fail("docker-compose is missing (.ci/run installs Debian's package)")
        return yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    result = subprocess.run(
        [tool, "-f", str(ROOT / "docker-compose.yml"), "config"],
        env={**os.environ, **COMPOSE_ENV},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return yaml.safe_load(result.stdout)


def test_compose_refuses_to_start_without_site_url_or_sender():
    tool = shutil.which("docker-compose")
    if tool is None:
        pytest.fail("docker-compose missing") if IN_CI else pytest.skip("no docker-compose")
    for missing in ("SITE_URL", "DEFAULT_FROM_EMAIL"):
        env = {k: v for k, v in {**os.environ, **COMPOSE_ENV}.items() if k != missing}
        result = subprocess.run(
            [tool, "-f", str(ROOT / "docker-compose.yml"), "config"],
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert result.returncode != 0 and missing in result.stderr


def test_web_worker_and_beat_have_healthchecks(compose):
    services = compose["services"]
    for name in ("web", "worker", "beat"):
        test = services[name]["healthcheck"]["test"]
        assert test[-3:] == ["manage.py", "healthcheck", name], (name, test)


def test_the_balancer_is_published_on_loopback_behind_one_trusted_proxy(compose):
    (port,) = compose["services"]["balancer"]["ports"]
    published = port if isinstance(port, str) else f"{port['host_ip']}:{port['published']}"
    assert published.startswith("127.0.0.1:"), published
    environment = compose["services"]["web"]["environment"]
    assert environment["TRUSTED_PROXY_COUNT"] in ("1", 1)
    assert environment["SITE_URL"] == "https://schoolplan.example.org"
    assert str(environment["GUNICORN_TIMEOUT"]) == "60"


def test_web_and_worker_scale_out(compose):
    """issue 24: `--scale web=N --scale worker=N` needs no change to the file: neither has a
    fixed container name or host port (two containers cannot share either)."""
    for name in ("web", "worker"):
        service = compose["services"][name]
        assert "container_name" not in service and "ports" not in service, name
    # The balancer is no proxy the app counts: it passes on what the TLS proxy wrote.
    conf = (ROOT / "deploy" / "balancer.conf").read_text()
    assert "proxy_set_header X-Forwarded-For $http_x_forwarded_for;" in conf
    assert "proxy_set_header X-Forwarded-Proto $http_x_forwarded_proto;" in conf
    assert "balancer.conf:/etc/nginx/conf.d/default.conf" in str(
        compose["services"]["balancer"]["volumes"]
    )


def test_image_creates_the_media_folder_for_the_app_user():
    dockerfile = (ROOT / "Dockerfile").read_text()
    creates = dockerfile.index("mkdir -p /app/var/media")
    assert dockerfile.index("chown -R schoolplan /app/var") > creates
    assert creates < dockerfile.index("USER schoolplan")
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    assert "media:/app/var/media" in compose["x-app"]["volumes"]


def test_gunicorn_sets_a_timeout_and_leaves_forwarded_headers_to_the_app():
    config = {}
    exec((ROOT / "gunicorn.conf.py").read_text(), config)
    assert config["timeout"] == 60 and config["forwarded_allow_ips"] == ""
    assert config["secure_scheme_headers"] == {}


def settings_variables():
    names = set()
    for path in ("schoolplan/settings.py", "schoolplan/settings_production.py", "gunicorn.conf.py"):
        text = (ROOT / path).read_text()
        names |= set(re.findall(r'(?:environ\.get|env_bool|env_list)\(\s*"([A-Z_]+)"', text))
    return names | {"DATABASE_URL"}  # read by dj_database_url


def test_readme_configuration_table_lists_every_variable_the_settings_read():
    readme = (ROOT / "README.md").read_text()
    table = readme[readme.index("## Configuration") : readme.index("### Dates and time zones")]
    listed = set(re.findall(r"`([A-Z][A-Z_]+)`", table))
    assert settings_variables() - listed == set()
    assert {"SITE_URL", "TRUSTED_PROXY_COUNT", "DB_CONN_MAX_AGE"} <= settings_variables()


def test_healthcheck_command_for_web(live_server):
    call_command("healthcheck", "web", url=f"{live_server.url}/health/")
    with pytest.raises(CommandError):
        call_command("healthcheck", "web", url=f"{live_server.url}/no-such-page/")


def test_healthcheck_command_for_beat_needs_a_recent_heartbeat(settings):
    from schoolplan.tasks import record_heartbeat

    cache.delete("heartbeat:beat")
    with pytest.raises(CommandError, match="no heartbeat"):
        call_command("healthcheck", "beat")
    record_heartbeat("beat")  # what beat's schedule sends every minute
    call_command("healthcheck", "beat")
    assert settings.CELERY_BEAT_SCHEDULE["heartbeat"]["args"] == ("beat",)
