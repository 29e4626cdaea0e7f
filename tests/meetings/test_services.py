"""The real services. Locally they are optional; in CI (CI=true) a missing one fails."""

import os
import time
import uuid

import pytest
from django.core.cache import cache
from django.db import connection

from schoolplan.celery import app
from schoolplan.tasks import record_heartbeat

from ..conftest import IN_CI


def need(variable):
    if not os.environ.get(variable):
        if IN_CI:
            pytest.fail(f"{variable} is not set: CI must run against the real service.")
        pytest.skip(f"{variable} not set: runs in CI")


@pytest.mark.services
@pytest.mark.django_db
def test_database_is_postgresql_when_configured():
    need("DATABASE_URL")
    if os.environ["DATABASE_URL"].startswith("postgres"):
        assert connection.vendor == "postgresql"
        with connection.cursor() as cursor:
            cursor.execute("select 1")
            assert cursor.fetchone() == (1,)


@pytest.mark.services
def test_ci_runs_on_postgresql():
    if not IN_CI:
        pytest.skip("CI only")
    assert os.environ.get("DATABASE_URL", "").startswith("postgres")


@pytest.mark.services
def test_celery_worker_runs_a_task_through_redis():
    need("REDIS_URL")
    from celery.contrib.testing.worker import start_worker

    assert not app.conf.task_always_eager
    app.control.purge()  # leftovers of earlier runs are not this test's business
    token = uuid.uuid4().hex
    with start_worker(app, perform_ping_check=False, pool="solo", loglevel="WARNING"):
        record_heartbeat.delay(token)
        deadline = time.monotonic() + 20
        while cache.get(f"heartbeat:{token}") is None and time.monotonic() < deadline:
            time.sleep(0.1)
    assert cache.get(f"heartbeat:{token}") is not None


def test_without_redis_tasks_run_in_process(eager_celery):
    # test_settings checks that no REDIS_URL means eager; here, that eager runs the task inline.
    token = uuid.uuid4().hex
    record_heartbeat.delay(token)
    assert cache.get(f"heartbeat:{token}") is not None
