"""The load benchmark's short mode (CI): bench/load_bench.py --short against gunicorn,
PostgreSQL and Redis, as a subprocess (locust patches the standard library with gevent on
import; it never enters this process). No figure is asserted but the errors: 0.
"""

import os
import re
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
from django.conf import settings

from ..conftest import IN_CI

BASE_DIR = Path(settings.BASE_DIR)
pytestmark = pytest.mark.services


@pytest.fixture
def load_database():
    """A database of the benchmark's own beside the test database's (dropped afterwards)."""
    url, redis_url = os.environ.get("DATABASE_URL", ""), os.environ.get("REDIS_URL", "")
    if not url.startswith(("postgres://", "postgresql://")) or not redis_url:
        message = "needs PostgreSQL (DATABASE_URL) and Redis (REDIS_URL)"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    parts = urlsplit(url)
    name = f"{parts.path.lstrip('/') or 'schoolplan'}_load"
    yield urlunsplit(parts._replace(path=f"/{name}")), redis_url
    import psycopg

    maintenance = urlunsplit(parts._replace(scheme="postgresql", path="/postgres"))
    with psycopg.connect(maintenance, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_short_load_run_has_no_errors(load_database, capsys):
    database_url, redis_url = load_database
    result = subprocess.run(
        [
            *(sys.executable, str(BASE_DIR / "bench" / "load_bench.py"), "--short"),
            *("--database-url", database_url, "--redis-url", redis_url),
        ],
        cwd=BASE_DIR,
        capture_output=True,
        text=True,
        timeout=240,
    )
    output = result.stdout
    with capsys.disabled():
        print("\n[load bench --short]\n" + output.strip())
    assert result.returncode == 0, output + result.stderr[-3000:]
    summary = re.search(
        r"mix: ([\d.]+) rps, p50/p95/p99 (\d+)/(\d+)/(\d+) ms; baseline: ([\d.]+) rps", output
    )
    assert summary, output
    assert float(summary.group(1)) > 0 and float(summary.group(5)) > 0
    assert re.search(
        r"ratios: rps mix/baseline [\d.]+, p95 mix/baseline [\d.]+; errors: 0$", output, re.M
    )
    for kind in ("family: page (en)", "family: page (es)", "family: meeting .ics"):
        assert kind in output
