"""Starting real parts on loopback for a test (nginx, PgBouncer, gunicorn, moto's S3 server): a
free port, waiting for a process to listen (or failing with its log), and the app server itself."""

import os
import secrets
import shutil
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


def wait_for(port, process, name, log, host="127.0.0.1"):
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"{name} stopped: {Path(log).read_text()[-3000:]}")
        try:
            socket.create_connection((host, port), timeout=0.5).close()
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


def start_gunicorn(env, port, log, workers=1, host="127.0.0.1"):
    """gunicorn with env on host:port (reads gunicorn.conf.py, as in production)."""
    return subprocess.Popen(
        [
            *(sys.executable, "-m", "gunicorn", "schoolplan.wsgi:application"),
            *("--workers", str(workers), "--bind", f"{host}:{port}", "--no-control-socket"),
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


def needs(ok, message):
    """Fail in CI (the services must be there), skip elsewhere."""
    if not ok:
        from .conftest import IN_CI

        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)


def fresh_database(url, suffix):
    """A new, empty PostgreSQL database beside url's (its name + suffix): (its URL, drop())."""
    from urllib.parse import urlsplit, urlunsplit

    import psycopg

    parts = urlsplit(url)
    name = f"{parts.path.lstrip('/') or 'schoolplan'}_{suffix}"
    maintenance = urlunsplit(parts._replace(scheme="postgresql", path="/postgres"))
    with psycopg.connect(maintenance, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')

    def drop():
        with psycopg.connect(maintenance, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    return urlunsplit(parts._replace(path=f"/{name}")), drop


PGBOUNCER = shutil.which("pgbouncer") or "/usr/sbin/pgbouncer"


def start_pgbouncer(folder, *, host, port, dbname, user, pool_size=2):
    """Debian's PgBouncer in transaction mode on loopback, serving dbname as "app".
    folder must be reachable by the user it runs as (root: postgres). Returns (process, port)."""
    bouncer_port = free_port()
    (folder / "users.txt").write_text(f'"{user}" ""\n')
    (folder / "pgbouncer.ini").write_text(
        f"""[databases]
app = host={host} port={port} dbname={dbname} user={user}
[pgbouncer]
listen_addr = 127.0.0.1
listen_port = {bouncer_port}
unix_socket_dir =
auth_type = trust
auth_file = {folder}/users.txt
admin_users = {user}
pool_mode = transaction
default_pool_size = {pool_size}
max_client_conn = 100
pidfile = {folder}/pgbouncer.pid
"""
    )
    for path in folder.iterdir():
        path.chmod(0o666)
    command = [PGBOUNCER, str(folder / "pgbouncer.ini")]
    if os.geteuid() == 0:  # PgBouncer refuses to run as root
        command[1:1] = ["-u", "postgres"]
    bouncer = subprocess.Popen(
        command, stdout=(folder / "pgbouncer.log").open("a"), stderr=subprocess.STDOUT
    )
    wait_for(bouncer_port, bouncer, "pgbouncer", folder / "pgbouncer.log")
    return bouncer, bouncer_port


def pgbouncer_transactions(user, bouncer_port):
    """How many transactions PgBouncer passed to "app" (its admin console's SHOW STATS)."""
    import psycopg

    admin = f"postgresql://{user}@127.0.0.1:{bouncer_port}/pgbouncer"
    with psycopg.connect(admin, autocommit=True, prepare_threshold=None) as connection:
        cursor = connection.cursor()
        cursor.execute("SHOW STATS")
        columns = [column.name for column in cursor.description]
        stats = {row[0]: dict(zip(columns, row, strict=True)) for row in cursor.fetchall()}
    return stats.get("app", {}).get("total_xact_count", 0)  # none yet: no row


NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
# One nginx process: its files under the test's folder, named by what it is (several may share
# a folder), and the http block it serves.
NGINX_MAIN = """
{user}
worker_processes 1;
daemon off;
pid {dir}/{name}.pid;
error_log {dir}/{name}-error.log warn;
events {{ worker_connections 64; }}
http {{
  access_log {dir}/{name}-access.log;
  client_body_temp_path {dir}/{name}-body;
  proxy_temp_path {dir}/{name}-proxy;
  fastcgi_temp_path {dir}/{name}-fastcgi;
  uwsgi_temp_path {dir}/{name}-uwsgi;
  scgi_temp_path {dir}/{name}-scgi;
{http}
}}
"""

TLS_PROXY = """
  # Round-robin over the app servers (one, or several nodes).
  upstream app {{
{servers}
  }}
  server {{
    listen 127.0.0.1:{port} ssl;
    ssl_certificate {dir}/cert.pem;
    ssl_certificate_key {dir}/key.pem;
    location / {{
      proxy_pass http://app;
      proxy_set_header Host $http_host;
      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
      proxy_set_header X-Forwarded-Proto $scheme;
      # Which node answered (the tests' proof that a request crossed nodes).
      add_header X-Upstream $upstream_addr always;
    }}
  }}
"""


def needs_nginx():
    needs(
        os.path.exists(NGINX) and shutil.which("openssl"),
        "needs Debian's nginx and openssl (.ci/run installs them)",
    )


def run_nginx(folder, name, http, port):
    """Debian's nginx serving the http block http, listening on port; returns the process."""
    conf = folder / f"{name}.conf"
    conf.write_text(
        NGINX_MAIN.format(
            dir=folder, name=name, http=http, user="user root;" if os.geteuid() == 0 else ""
        )
    )
    log = folder / f"{name}-error.log"
    process = subprocess.Popen(
        [NGINX, "-c", str(conf), "-p", str(folder)],
        stdout=subprocess.DEVNULL,
        stderr=log.open("a"),
    )
    wait_for(port, process, name, log)
    return process


def start_nginx(folder, app_ports):
    """Debian's nginx terminating TLS (a throw-away certificate) on loopback in front of the app
    servers on app_ports, round-robin. Returns (process, port)."""
    subprocess.run(
        [
            *("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1"),
            *("-subj", "/CN=127.0.0.1", "-keyout", str(folder / "key.pem")),
            *("-out", str(folder / "cert.pem")),
        ],
        check=True,
        capture_output=True,
    )
    port = free_port()
    servers = "\n".join(f"    server 127.0.0.1:{p};" for p in app_ports)
    http = TLS_PROXY.format(dir=folder, port=port, servers=servers)
    return run_nginx(folder, "nginx", http, port), port


class Browser:
    """One client on its own loopback address, with its cookies, over TLS through nginx."""

    def __init__(self, port, source="127.0.0.1"):
        self.port, self.source, self.cookies = port, source, {}

    def request(self, method, path, body=None, headers=None):
        import http.client
        import ssl

        context = ssl._create_unverified_context()
        connection = http.client.HTTPSConnection(
            "127.0.0.1", self.port, source_address=(self.source, 0), context=context, timeout=30
        )
        headers = {
            "Host": f"127.0.0.1:{self.port}",
            "Origin": f"https://127.0.0.1:{self.port}",
            "Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items()),
            **(headers or {}),
        }
        if body is not None:
            headers.setdefault("Content-Type", "application/x-www-form-urlencoded")
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        text = response.read().decode("utf-8", "replace")
        for header in response.headers.get_all("Set-Cookie") or []:
            name, _, rest = header.partition("=")
            self.cookies[name] = rest.split(";", 1)[0]
        connection.close()
        return response, text

    def sign_in(self, password, headers=None, username="ana"):
        import re
        from urllib.parse import urlencode

        _, page = self.request("GET", "/accounts/login/")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
        form = urlencode({"csrfmiddlewaretoken": token, "username": username, "password": password})
        return self.request("POST", "/accounts/login/", body=form, headers=headers)
