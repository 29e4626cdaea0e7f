"""Django set up for a benchmark on a throw-away database: a temporary SQLite file, or with
postgres_name a database of that name recreated on the server of DATABASE_URL. Tasks run in
process (no Redis), e-mail stays in memory, logs are quiet. Call before importing any model."""

import os
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def scratch_database_url(postgres_name=None):
    if not postgres_name:
        return f"sqlite:///{tempfile.mkdtemp()}/bench.sqlite3"
    import psycopg

    server = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/schoolplan")
    base = server.rsplit("/", 1)[0]
    with psycopg.connect(f"{base}/postgres", autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{postgres_name}"')
        admin.execute(f'CREATE DATABASE "{postgres_name}"')
    return f"{base}/{postgres_name}"


def setup_django(postgres_name=None):
    os.environ["DATABASE_URL"] = scratch_database_url(postgres_name)
    os.environ.pop("REDIS_URL", None)  # tasks in-process: the bench measures the work itself
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "schoolplan.settings")
    os.environ["EMAIL_BACKEND"] = "django.core.mail.backends.locmem.EmailBackend"
    os.environ["LOG_LEVEL"] = "WARNING"
    import django

    django.setup()
