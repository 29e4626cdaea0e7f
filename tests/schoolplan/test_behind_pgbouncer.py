"""The README's PgBouncer advice, run for real: Debian's PgBouncer in transaction mode between
gunicorn (production settings: persistent connections, DB_DISABLE_SERVER_SIDE_CURSORS=1) and
PostgreSQL, a pool of two server connections for two gunicorn workers. Sign-in, pages and the
health check answer; PgBouncer counted the transactions."""

import http.client
import os
import re
import shutil
import tempfile
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import pytest

from ..service_helpers import APP_PASSWORD as PASSWORD
from ..service_helpers import (
    PGBOUNCER,
    app_env,
    free_port,
    fresh_database,
    needs,
    pgbouncer_transactions,
    prepare_app,
    start_gunicorn,
    start_pgbouncer,
    wait_for,
)

pytestmark = pytest.mark.services


@pytest.fixture(scope="module")
def site():
    url = os.environ.get("DATABASE_URL", "")
    needs(
        url.startswith(("postgres://", "postgresql://")) and os.path.exists(PGBOUNCER),
        "needs PostgreSQL (DATABASE_URL) and Debian's pgbouncer (.ci/run installs it)",
    )
    direct, drop = fresh_database(url, "pgbouncer")
    parts = urlsplit(direct)
    # Not under pytest's own temporary folder: PgBouncer runs as another user, who must reach it.
    folder = Path(tempfile.mkdtemp(prefix="pgbouncer-test-"))
    folder.chmod(0o777)
    env = app_env(direct, SECURE_SSL_REDIRECT="0")
    prepare_app(env)
    user = parts.username or "postgres"
    bouncer, bouncer_port = start_pgbouncer(
        folder,
        host=parts.hostname,
        port=parts.port or 5432,
        dbname=parts.path.lstrip("/"),
        user=user,
    )
    app_port = free_port()
    through = f"postgres://{user}@127.0.0.1:{bouncer_port}/app"
    through_bouncer = {**env, "DATABASE_URL": through, "DB_DISABLE_SERVER_SIDE_CURSORS": "1"}
    app_log = folder / "gunicorn.log"
    app = start_gunicorn(through_bouncer, app_port, app_log, workers=2)
    try:
        wait_for(app_port, app, "gunicorn", app_log)
        yield {"app_port": app_port, "bouncer_port": bouncer_port, "user": user, "log": app_log}
    finally:
        for process in (app, bouncer):
            process.terminate()
            process.wait(timeout=20)
        drop()
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
    assert pgbouncer_transactions(site["user"], site["bouncer_port"]) >= 20
    assert "Error" not in site["log"].read_text()
