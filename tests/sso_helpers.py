"""The test OpenID Connect provider (tests/sso_provider) on loopback, in its own process."""

import json
import subprocess
import sys
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests

from .service_helpers import ROOT, free_port, wait_for

PROVIDER_PASSWORD = "provider-pass"


@dataclass
class Provider:
    issuer: str
    port: int
    client_id: str
    client_secret: str
    log: Path

    def log_text(self):
        return self.log.read_text()[-4000:]


@contextmanager
def oidc_provider(users, redirect_uris, folder, client_id="schoolplan", client_secret=None):
    """Start the provider with users ([{"username", "email", "email_verified", "misbehave",
    "amr", "acr", …}]) for one confidential client; yield a Provider; stop it."""
    client_secret = client_secret or "provider-test-secret-" + "x" * 20
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "users.json").write_text(json.dumps(users))
    log = folder / "provider.log"
    port = free_port()
    command = [
        sys.executable,
        str(ROOT / "tests" / "sso_provider" / "run.py"),
        f"--port={port}",
        f"--db={folder / 'provider.sqlite3'}",
        f"--users={folder / 'users.json'}",
        f"--client-id={client_id}",
        f"--client-secret={client_secret}",
        *(f"--redirect-uri={uri}" for uri in redirect_uris),
    ]
    with open(log, "w") as output:
        process = subprocess.Popen(command, stdout=output, stderr=subprocess.STDOUT, cwd=ROOT)
    try:
        wait_for(port, process, "the OpenID Connect provider", log)
        issuer = f"http://127.0.0.1:{port}/o"
        discovery = requests.get(f"{issuer}/.well-known/openid-configuration", timeout=10)
        if discovery.status_code != 200:
            pytest.fail(
                f"the provider's discovery answered {discovery.status_code}: {log.read_text()}"
            )
        yield Provider(discovery.json()["issuer"], port, client_id, client_secret, log)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
