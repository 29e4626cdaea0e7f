"""The README's PgBouncer advice, run for real: Debian's PgBouncer in transaction mode between
gunicorn (production settings: persistent connections, DB_DISABLE_SERVER_SIDE_CURSORS=1) and
PostgreSQL, a pool of two server connections for two gunicorn workers. Sign-in, pages and the
health check answer; PgBouncer counted the transactions."""

import http.client
import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path
from urllib.parse import urlencode, urlsplit, urlunsplit

import pytest

from ..conftest import IN_CI
from ..service_helpers import APP_PASSWORD as PASSWORD
from ..service_helpers import app_env, free_port, prepare_app, start_gunicorn, wait_for

PGBOUNCER = shutil.which("pgbouncer") or "/usr/sbin/pgbouncer"
pytestmark = pytest.mark.services


@pytest.fixture(scope="module")
def site():
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")) or not os.path.exists(PGBOUNCER):
        message = "needs PostgreSQL (DATABASE_URL) and Debian's pgbouncer (.ci/run installs it)"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    import psycopg

    parts = urlsplit(url)
    name = f"{parts.path.lstrip('/') or 'schoolplan'}_pgbouncer"
    maintenance = urlunsplit(parts._replace(scheme="postgresql", path="/postgres"))
    with psycopg.connect(maintenance, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')
    # Not under pytest's own temporary folder: PgBouncer runs as another user, who must reach it.
    folder = Path(tempfile.mkdtemp(prefix="pgbouncer-test-"))
    folder.chmod(0o777)
    direct = urlunsplit(parts._replace(path=f"/{name}"))
    env = app_env(direct, SECURE_SSL_REDIRECT="0")
    prepare_app(env)

    bouncer_port, app_port = free_port(), free_port()
    user = parts.username or "postgres"
    (folder / "users.txt").write_text(f'"{user}" ""\n')
    (folder / "pgbouncer.ini").write_text(
        f"""[databases]
app = host={parts.hostname} port={parts.port or 5432} dbname={name} user={user}
[pgbouncer]
listen_addr = 127.0.0.1
listen_port = {bouncer_port}
unix_socket_dir =
auth_type = trust
auth_file = {folder}/users.txt
admin_users = {user}
pool_mode = transaction
default_pool_size = 2
max_client_conn = 50
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
    through = f"postgres://{user}@127.0.0.1:{bouncer_port}/app"
    through_bouncer = {**env, "DATABASE_URL": through, "DB_DISABLE_SERVER_SIDE_CURSORS": "1"}
    app_log = folder / "gunicorn.log"
    app = start_gunicorn(through_bouncer, app_port, app_log, workers=2)
    try:
        wait_for(bouncer_port, bouncer, "pgbouncer", folder / "pgbouncer.log")
        wait_for(app_port, app, "gunicorn", app_log)
        yield {"app_port": app_port, "bouncer_port": bouncer_port, "user": user, "log": app_log}
    finally:
        for process in (app, bouncer):
            process.terminate()
            process.wait(timeout=20)
        with psycopg.connect(maintenance, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        shutil.rmtree(folder, ignore_errors=True)


def request(port, method, path, cookies, body=None):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    headers = {
        "Host": "127.0.0.1",
        "Origin": "http://127.0.0.1",
        "Cookie": "; ".join(f"{k}={v}" for k, v in cookies.items()),
    }
    if body is not None:
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    connection.request(method, path, body=body, headers=headers)
    response = connection.getresponse()
    text = response.read().decode("utf-8", "replace")
    for header in response.headers.get_all("Set-Cookie") or []:
        key, _, rest = header.partition("=")
        cookies[key] = rest.split(";", 1)[0]
    connection.close()
    return response.status, text


def test_the_app_works_through_pgbouncer_in_transaction_mode(site):
    import psycopg

    port, cookies = site["app_port"], {}
    for _ in range(10):
        assert request(port, "GET", "/health/", {}) == (200, "ok")
    _, page = request(port, "GET", "/accounts/login/", cookies)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    form = urlencode({"csrfmiddlewaretoken": token, "username": "ana", "password": PASSWORD})
    status, _ = request(port, "POST", "/accounts/login/", cookies, body=form)
    assert status == 302, site["log"].read_text()[-3000:]
    for _ in range(10):
        status, page = request(port, "GET", "/", cookies)
        assert status == 200 and "What needs your attention" in page
    # Every query went through PgBouncer: its admin console counted the transactions.
    admin = f"postgresql://{site['user']}@127.0.0.1:{site['bouncer_port']}/pgbouncer"
    with psycopg.connect(admin, autocommit=True, prepare_threshold=None) as connection:
        cursor = connection.cursor()
        cursor.execute("SHOW STATS")
        columns = [column.name for column in cursor.description]
        stats = {row[0]: dict(zip(columns, row, strict=True)) for row in cursor.fetchall()}
    assert stats["app"]["total_xact_count"] >= 20
    assert "Error" not in site["log"].read_text()
