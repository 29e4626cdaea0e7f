"""Starting real parts on loopback for a test (nginx, PgBouncer, gunicorn, moto's S3 server): a
free port, waiting for a process to listen (or failing with its log), and the app server itself."""

import os
import secrets
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(port, process, name, log):
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"{name} stopped: {Path(log).read_text()[-3000:]}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return
        except OSError:
            time.sleep(0.2)
    pytest.fail(f"{name} did not start within 60 s")


ROOT = Path(__file__).resolve().parents[1]
APP_PASSWORD = "Correct-horse-42"


def app_env(database_url, **overrides):
    """The environment of an app server under test: production settings (tests.proxy_settings)
    on database_url, one site address, the second sign-in step off, no Redis."""
    return {
        **{k: v for k, v in os.environ.items() if k not in {"REDIS_URL", "DEBUG"}},
        "DJANGO_SETTINGS_MODULE": "tests.proxy_settings",
        "PYTHONPATH": str(ROOT),
        "SECRET_KEY": secrets.token_urlsafe(50),
        "DATABASE_URL": database_url,
        "ALLOWED_HOSTS": "127.0.0.1",
        "SITE_URL": "https://schoolplan.example.org",
        "TWO_FACTOR_REQUIRED": "0",
        "LOG_LEVEL": "WARNING",
        **overrides,
    }


def prepare_app(env):
    """Migrate env's database and create the account "ana" (password APP_PASSWORD)."""
    manage = [sys.executable, str(ROOT / "manage.py")]
    subprocess.run([*manage, "migrate", "-v", "0"], cwd=ROOT, env=env, check=True, timeout=300)
    create = (
        "from schoolplan.models import User; "
        f"User.objects.create_user('ana', 'ana@example.org', {APP_PASSWORD!r})"
    )
    subprocess.run([*manage, "shell", "-c", create], cwd=ROOT, env=env, check=True, timeout=120)


def start_gunicorn(env, port, log, workers=1):
    """gunicorn with env on 127.0.0.1:port (reads gunicorn.conf.py, as in production)."""
    return subprocess.Popen(
        [
            *(sys.executable, "-m", "gunicorn", "schoolplan.wsgi:application"),
            *("--workers", str(workers), "--bind", f"127.0.0.1:{port}", "--no-control-socket"),
        ],
        cwd=ROOT,
        env=env,
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
    )


def start_object_storage(port, log):
    """moto's S3 server (the test extra) on 127.0.0.1:port: a real S3 API, no cloud account.
    Returns the process and the environment that points the app at it (README, "Uploads"); the
    caller waits for the port and makes the bucket S3_BUCKET names (object_storage_bucket)."""
    process = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        cwd=ROOT,
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
    )
    env = {
        "S3_BUCKET": "schoolplan-uploads",
        "S3_ENDPOINT_URL": f"http://127.0.0.1:{port}",
        "S3_REGION": "us-east-1",
        "S3_ACCESS_KEY_ID": "schoolplan-test",
        "S3_SECRET_ACCESS_KEY": secrets.token_urlsafe(30),
        "S3_ADDRESSING_STYLE": "path",
    }
    return process, env


def object_storage_client(env):
    """A boto3 S3 client for the storage env describes (start_object_storage's environment)."""
    import boto3
    from botocore.config import Config

    return boto3.client(
        "s3",
        endpoint_url=env["S3_ENDPOINT_URL"],
        region_name=env["S3_REGION"],
        aws_access_key_id=env["S3_ACCESS_KEY_ID"],
        aws_secret_access_key=env["S3_SECRET_ACCESS_KEY"],
        config=Config(signature_version="s3v4", s3={"addressing_style": "path"}),
    )
