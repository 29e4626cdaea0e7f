import os

import pytest
from django.db import connection

from .clock import BASE_DATE, BASE_IS_GIVEN, YEAR, Clock
from .factories import DistrictFactory, SchoolFactory, SchoolYearFactory

IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def pytest_sessionstart(session):
    # In CI the suite must run on the real services; a missing one is a failure, not a skip.
    if IN_CI:
        missing = [name for name in ("DATABASE_URL", "REDIS_URL") if not os.environ.get(name)]
        if missing:
            pytest.exit(f"CI needs {', '.join(missing)} set (PostgreSQL and Redis).", returncode=3)


@pytest.fixture(autouse=True)
def clock():
    """The one clock of the tests (tests/clock.py). With SCHOOLPLAN_TODAY set, every test starts
    at noon of that day and time runs on from there; `clock.set(day)` states a test's date."""
    the_clock = Clock()
    if BASE_IS_GIVEN:
        the_clock.set(BASE_DATE, tick=True)
    yield the_clock
    the_clock.stop()


@pytest.fixture
def district(db):
    return DistrictFactory(name="Riverbend USD")


@pytest.fixture
def school(district):
    return SchoolFactory(district=district, name="Valdez Elementary", title_i=True)


@pytest.fixture
def other_school(db):
    """A school in another district, which the users of the fixtures above must never reach."""
    return SchoolFactory(name="Elsewhere Elementary")


@pytest.fixture
def school_year(district):
    return SchoolYearFactory(district=district, start_year=YEAR)


@pytest.fixture
def db_vendor(db):
    return connection.vendor


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    # Hashing strength is Django's business; the suite needs speed.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def two_factor_not_required(settings):
    # The suite signs people in with force_login; the second step has its own tests
    # (test_two_factor.py), which turn the requirement back on.
    settings.TWO_FACTOR_REQUIRED = False


@pytest.fixture
def eager_celery():
    """Run Celery tasks in-process for this test, as the embedded default does."""
    from schoolplan.celery import app

    previous = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield app
    app.conf.task_always_eager = previous


@pytest.fixture(autouse=True)
def empty_cache():
    """Each test starts with an empty cache (ids repeat between tests; cached pages must not)."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()
