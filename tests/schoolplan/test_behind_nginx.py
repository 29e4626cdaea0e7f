"""The real thing: Debian's nginx terminating TLS in front of gunicorn on loopback, with the
production settings and TRUSTED_PROXY_COUNT=1 (SECURITY.md, "What the app trusts").

Two clients on different loopback addresses (127.0.0.2 and 127.0.0.3): five wrong passwords
from A lock A out for that account, not B; A writing its own X-Forwarded-For gains nothing; the
audit log records each client's address, not the proxy's. Straight to gunicorn, a forged
X-Forwarded-Proto is not believed, and /health/ answers plain HTTP by IP.
"""

import http.client
import os
import re
import shutil
import sqlite3
import ssl
import subprocess

import pytest

from ..conftest import IN_CI
from ..service_helpers import APP_PASSWORD as PASSWORD
from ..service_helpers import app_env, free_port, prepare_app, start_gunicorn, wait_for

NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
CLIENT_A, CLIENT_B = "127.0.0.2", "127.0.0.3"
pytestmark = pytest.mark.services


NGINX_CONF = """
{user}
worker_processes 1;
daemon off;
pid {dir}/nginx.pid;
error_log {dir}/nginx-error.log warn;
events {{ worker_connections 64; }}
http {{
  access_log {dir}/nginx-access.log;
  client_body_temp_path {dir}/body;
  proxy_temp_path {dir}/proxy;
  fastcgi_temp_path {dir}/fastcgi;
  uwsgi_temp_path {dir}/uwsgi;
  scgi_temp_path {dir}/scgi;
  server {{
    listen 127.0.0.1:{port} ssl;
    ssl_certificate {dir}/cert.pem;
    ssl_certificate_key {dir}/key.pem;
    location / {{
      proxy_pass http://127.0.0.1:{app_port};
      proxy_set_header Host $http_host;
      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
      proxy_set_header X-Forwarded-Proto $scheme;
    }}
  }}
}}
"""


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    if not os.path.exists(NGINX) or not shutil.which("openssl"):
        message = "needs Debian's nginx and openssl (.ci/run installs them)"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    folder = tmp_path_factory.mktemp("nginx")
    folder.chmod(0o755)
    env = app_env(f"sqlite:///{folder / 'app.sqlite3'}", TRUSTED_PROXY_COUNT="1")
    prepare_app(env)
    subprocess.run(
        [
            *("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1"),
            *("-subj", "/CN=127.0.0.1", "-keyout", str(folder / "key.pem")),
            *("-out", str(folder / "cert.pem")),
        ],
        check=True,
        capture_output=True,
    )
    app_port, port = free_port(), free_port()
    app_log = folder / "gunicorn.log"
    app = start_gunicorn(env, app_port, app_log)
    conf = folder / "nginx.conf"
    conf.write_text(
        NGINX_CONF.format(
            dir=folder,
            port=port,
            app_port=app_port,
            user="user root;" if os.geteuid() == 0 else "",
        )
    )
    proxy = subprocess.Popen(
        [NGINX, "-c", str(conf), "-p", str(folder)],
        stdout=subprocess.DEVNULL,
        stderr=(folder / "nginx-error.log").open("a"),
    )
    try:
        wait_for(app_port, app, "gunicorn", app_log)
        wait_for(port, proxy, "nginx", folder / "nginx-error.log")
        yield {"port": port, "app_port": app_port, "database": folder / "app.sqlite3"}
    finally:
        for process in (proxy, app):
            process.terminate()
            process.wait(timeout=20)


class Browser:
    """One client on its own loopback address, with its cookies, over TLS through nginx."""

    def __init__(self, port, source):
        self.port, self.source, self.cookies = port, source, {}

    def request(self, method, path, body=None, headers=None):
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
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        text = response.read().decode("utf-8", "replace")
        for header in response.headers.get_all("Set-Cookie") or []:
            name, _, rest = header.partition("=")
            self.cookies[name] = rest.split(";", 1)[0]
        connection.close()
        return response, text

    def sign_in(self, password, headers=None):
        from urllib.parse import urlencode

        _, page = self.request("GET", "/accounts/login/")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
        form = urlencode({"csrfmiddlewaretoken": token, "username": "ana", "password": password})
        return self.request("POST", "/accounts/login/", body=form, headers=headers)


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
