"""issue 24, item 6: the compose file's `balancer` (deploy/balancer.conf, unchanged but for
addresses) under Debian's nginx, behind the TLS proxy production puts in front of it, with
dnsmasq answering "web" with each web node's address as Docker's DNS does for
`docker compose up --scale web=N`. The nodes are gunicorn with the production settings on
127.0.0.2, .3 (and, scaled out, .4), one port as in containers.

- Requests are spread over every node, and a node started later is found without a restart
  (the resolver's answer is kept 10 s).
- The balancer is no proxy the app counts: it passes Host, X-Forwarded-For and
  X-Forwarded-Proto on as the TLS proxy wrote them, so the app still sees HTTPS and each
  client's own address (TRUSTED_PROXY_COUNT=1).
- It takes the largest upload the app accepts (10 MB) and refuses what no form takes.

The test adds one header to its copy, the node that answered (X-Balanced-To), its only proof
of where a request went.
"""

import os
import signal
import socket
import sqlite3
import subprocess
import time

import pytest

from ..service_helpers import (
    ROOT,
    Browser,
    app_env,
    free_port,
    needs,
    needs_nginx,
    prepare_app,
    run_nginx,
    start_gunicorn,
    start_nginx,
    wait_for,
)

pytestmark = pytest.mark.services

DNSMASQ = "/usr/sbin/dnsmasq"
NODES = ["127.0.0.2", "127.0.0.3"]
LATER_NODE = "127.0.0.4"
CLIENT = "127.0.0.9"

# What the test changes in its copy, each found in the file first: where it listens, the DNS
# server that knows "web" (Docker's is 127.0.0.11:53), the nodes' port.
SUBSTITUTIONS = {
    "listen 8000;": "listen 127.0.0.1:{port};",
    "resolver 127.0.0.11 ": "resolver 127.0.0.1:{dns_port} ",
    "set $web http://web:8000;": "set $web http://web:{node_port};",
    "proxy_pass $web;": "proxy_pass $web;\n        add_header X-Balanced-To $upstream_addr always;",
}


def _hosts(folder, addresses):
    (folder / "hosts").write_text("".join(f"{address} web\n" for address in addresses))


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    needs_nginx()
    needs(os.path.exists(DNSMASQ), "needs Debian's dnsmasq (.ci/run installs dnsmasq-base)")
    folder = tmp_path_factory.mktemp("balancer")
    folder.chmod(0o755)
    env = app_env(f"sqlite:///{folder / 'app.sqlite3'}", TRUSTED_PROXY_COUNT="1")
    prepare_app(env)
    processes = []

    def keep(process):
        processes.append(process)
        return process

    node_port = free_port()

    def start_node(address):
        log = folder / f"gunicorn-{address}.log"
        node = keep(start_gunicorn(env, node_port, log, host=address))
        wait_for(node_port, node, f"gunicorn on {address}", log, host=address)

    try:
        for address in NODES:
            start_node(address)
        # Docker's DNS: "web" is every web container. dnsmasq answers from a hosts file and
        # reads it again on SIGHUP (a container started or stopped).
        _hosts(folder, NODES)
        dns_port = free_port()
        dns = keep(
            subprocess.Popen(
                [
                    *(DNSMASQ, "--keep-in-foreground", "--no-resolv", "--no-hosts"),
                    *(f"--addn-hosts={folder / 'hosts'}", "--listen-address=127.0.0.1"),
                    *(f"--port={dns_port}", "--bind-interfaces", "--user=root", "--log-facility=-"),
                ],
                stdout=subprocess.DEVNULL,
                stderr=(folder / "dnsmasq.log").open("w"),
            )
        )
        conf = (ROOT / "deploy" / "balancer.conf").read_text()
        port = free_port()
        for old, new in SUBSTITUTIONS.items():
            assert old in conf, f"deploy/balancer.conf no longer says {old!r}"
            conf = conf.replace(old, new.format(port=port, dns_port=dns_port, node_port=node_port))
        # Where compose mounts it, conf.d/default.conf, which the nginx image's nginx.conf
        # includes inside http.
        (folder / "conf.d").mkdir()
        (folder / "conf.d" / "default.conf").write_text(conf)
        keep(run_nginx(folder, "balancer", f"  include {folder / 'conf.d' / '*.conf'};", port))
        # The TLS proxy production has in front (README, "Several nodes").
        proxy, tls_port = start_nginx(folder, [port])
        keep(proxy)
        yield {
            "port": tls_port,
            "balancer_port": port,
            "folder": folder,
            "dns": dns,
            "start_node": start_node,
            "database": folder / "app.sqlite3",
        }
    finally:
        for process in reversed(processes):
            process.terminate()
            process.wait(timeout=20)


def _answered_by(response):
    """The node that answered, as the balancer named it (its address, without the port)."""
    return response.headers["X-Balanced-To"].rsplit(":", 1)[0]


def test_requests_are_spread_over_every_node_and_reach_the_app_as_the_tls_proxy_sent_them(site):
    client = Browser(site["port"], CLIENT)
    seen = []
    for _ in range(6):
        response, page = client.request("GET", "/accounts/login/")
        # Host kept (ALLOWED_HOSTS), X-Forwarded-Proto kept (no redirect to https).
        assert response.status == 200, page[:300]
        seen.append(_answered_by(response))
    assert set(seen) == set(NODES)
    # A wrong password through each node: the audit log records the client's own address, not
    # the TLS proxy's (as it would if the balancer added itself to X-Forwarded-For).
    for _ in range(2):
        response, _ = client.sign_in("wrong-password")
        assert response.status == 200
    with sqlite3.connect(site["database"]) as db:
        addresses = db.execute(
            "SELECT ip_address FROM schoolplan_auditevent WHERE action = 'login_failed'"
        ).fetchall()
    assert addresses == [(CLIENT,), (CLIENT,)]


def test_a_web_node_started_later_gets_requests_without_restarting_the_balancer(site):
    site["start_node"](LATER_NODE)
    _hosts(site["folder"], [*NODES, LATER_NODE])
    site["dns"].send_signal(signal.SIGHUP)  # what Docker's DNS knows at once
    client = Browser(site["port"], CLIENT)
    deadline, seen = time.monotonic() + 30, set()
    while LATER_NODE not in seen and time.monotonic() < deadline:
        response, _ = client.request("GET", "/health/")
        assert response.status == 200
        seen.add(_answered_by(response))
        time.sleep(0.2)
    assert LATER_NODE in seen, "the balancer still asks the old answer after 30 s"
    spread = {_answered_by(client.request("GET", "/health/")[0]) for _ in range(9)}
    assert spread == {*NODES, LATER_NODE}


def _post_head(port, length):
    """Ask the balancer to take a body of length bytes (Expect: 100-continue, as curl does for
    large uploads): its first answer, before any byte of the body is sent."""
    with socket.create_connection(("127.0.0.1", port), timeout=30) as s:
        s.sendall(
            (
                "POST /accounts/login/ HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                "X-Forwarded-Proto: https\r\nContent-Type: application/octet-stream\r\n"
                f"Content-Length: {length}\r\nExpect: 100-continue\r\n\r\n"
            ).encode()
        )
        return s.recv(200).decode("latin-1").split("\r\n", 1)[0]


def test_it_takes_the_largest_upload_and_refuses_a_larger_one(site):
    assert _post_head(site["balancer_port"], 10 * 1024 * 1024 + 50_000) == ("HTTP/1.1 100 Continue")
    assert _post_head(site["balancer_port"], 13 * 1024 * 1024).startswith("HTTP/1.1 413")
