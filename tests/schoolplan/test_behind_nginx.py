"""The real thing: Debian's nginx terminating TLS in front of gunicorn on loopback, with the
production settings and TRUSTED_PROXY_COUNT=1 (SECURITY.md, "What the app trusts").

Two clients on different loopback addresses (127.0.0.2 and 127.0.0.3): five wrong passwords
from A lock A out for that account, not B; A writing its own X-Forwarded-For gains nothing; the
audit log records each client's address, not the proxy's. Straight to gunicorn, a forged
X-Forwarded-Proto is not believed, and /health/ answers plain HTTP by IP.
"""

import http.client
import sqlite3

import pytest

from ..service_helpers import APP_PASSWORD as PASSWORD
from ..service_helpers import (
    Browser,
    app_env,
    free_port,
    needs_nginx,
    prepare_app,
    start_gunicorn,
    start_nginx,
    wait_for,
)

CLIENT_A, CLIENT_B = "127.0.0.2", "127.0.0.3"
pytestmark = pytest.mark.services


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    needs_nginx()
    folder = tmp_path_factory.mktemp("nginx")
    folder.chmod(0o755)
    env = app_env(f"sqlite:///{folder / 'app.sqlite3'}", TRUSTED_PROXY_COUNT="1")
    prepare_app(env)
    app_port = free_port()
    app_log = folder / "gunicorn.log"
    app = start_gunicorn(env, app_port, app_log)
    proxy = None
    try:
        wait_for(app_port, app, "gunicorn", app_log)
        proxy, port = start_nginx(folder, [app_port])
        yield {"port": port, "app_port": app_port, "database": folder / "app.sqlite3"}
    finally:
        for process in (proxy, app):
            if process is None:
                continue
            process.terminate()
            process.wait(timeout=20)


def test_one_client_cannot_lock_out_another_or_hide_behind_a_forged_header(site):
    a, b = Browser(site["port"], CLIENT_A), Browser(site["port"], CLIENT_B)
    for _ in range(5):
        response, _ = a.sign_in("wrong-password")
    assert response.status == 429  # the fifth wrong password locks ana out, from A
    response, _ = a.sign_in(PASSWORD)
    assert response.status == 429
    # A claims to be someone else: nginx appends A's real address, and that is the one believed.
    response, _ = a.sign_in(PASSWORD, headers={"X-Forwarded-For": "10.9.8.7"})
    assert response.status == 429

    response, _ = b.sign_in(PASSWORD)
    assert response.status == 302, "B, with the right password, is not locked out"
    response, page = b.request("GET", "/")
    assert response.status == 200 and "What needs your attention" in page
    assert response.headers["Cache-Control"] == "private, no-store"

    with sqlite3.connect(site["database"]) as db:
        rows = db.execute("select action, ip_address from schoolplan_auditevent").fetchall()
    failed = {ip for action, ip in rows if action == "login_failed"}
    signed_in = {ip for action, ip in rows if action == "login"}
    assert failed == {CLIENT_A} and signed_in == {CLIENT_B}


def test_straight_to_the_app_forwarded_headers_are_not_believed(site):
    connection = http.client.HTTPConnection("127.0.0.1", site["app_port"], timeout=30)
    connection.request(
        "GET", "/accounts/login/", headers={"Host": "127.0.0.1", "X-Forwarded-Proto": "https"}
    )
    response = connection.getresponse()
    response.read()
    # Not from our proxy: the forged "https" is dropped and plain HTTP is sent to HTTPS.
    assert response.status == 301
    assert response.headers["Location"] == "https://127.0.0.1/accounts/login/"


def test_health_answers_plain_http_by_ip(site):
    connection = http.client.HTTPConnection("127.0.0.1", site["app_port"], timeout=30)
    connection.request("GET", "/health/", headers={"Host": "10.0.0.5:8000"})
    response = connection.getresponse()
    assert (response.status, response.read()) == (200, b"ok")
