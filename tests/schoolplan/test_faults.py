"""Faults (issue 12): PostgreSQL restarted in the middle of a request.

The test owns its PostgreSQL: a private server (initdb into a temporary folder, a free port,
its own socket folder) that it may restart without disturbing anyone else's tests on the
machine. A gunicorn worker (tests.fault_wsgi, persistent connections) serves the app against
it. A test-only hook in that worker stops a multi-write request after its first writes and
before its last; the test restarts PostgreSQL (`pg_ctl restart -m fast`, which ends every
connection as a failover or a restart does) and lets the request go on. Then:

- the interrupted request answers 503 from templates/503.html, with no traceback;
- nothing it wrote is in the database (its transaction died with the connection);
- the same request, sent again, succeeds (Django connects again).

The other faults of the reminder suite (a sweep twice, a worker killed mid-batch, SMTP
failing) are in test_reminder_worker.py.
"""

import glob
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.test import RequestFactory

from schoolplan.middleware import DatabaseUnavailableMiddleware

from ..clock import on
from ..conftest import IN_CI

BASE_DIR = Path(settings.BASE_DIR)
PASSWORD = "fault-test-password-1"
DATABASE = "schoolplan_fault"

# The data the server needs, written through the app's own models (run in a subprocess
# against the private database). Prints the ids the test needs as JSON.
SETUP = f"""
import json
import django
django.setup()
from schoolplan.models import Role
from tests.clock import YEAR, on
from tests.factories import SchoolFactory, SchoolYearFactory, UserFactory, member
from tests.meeting_helpers import schedule

school = SchoolFactory(name="Fault Elementary")
SchoolYearFactory(district=school.district, start_year=YEAR)
principal = member(Role.PRINCIPAL, school, UserFactory(username="fault-principal"))
principal.set_password({PASSWORD!r})
principal.save()
staff = [member(Role.SCHOOL_STAFF, school) for _ in range(3)]
meeting = schedule(school, principal, stage="check_in", day=on(1, 20))
print(json.dumps({{"school": school.pk, "meeting": meeting.pk, "staff": [u.pk for u in staff]}}))
"""


def _need(message):
    if IN_CI:
        pytest.fail(message)
    pytest.skip(message)


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _postgres_bin():
    candidates = sorted(
        glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"),
        key=lambda p: int(re.search(r"/(\d+)/bin", p).group(1)),
    )
    if candidates:
        return Path(candidates[-1]).parent
    found = shutil.which("pg_ctl")
    return Path(found).parent if found else None


class PrivatePostgres:
    """A PostgreSQL server of this test alone: trust auth, no fsync, torn down afterwards."""

    def __init__(self, bindir):
        self.bindir = bindir
        self.as_root = os.geteuid() == 0
        self.folder = Path(tempfile.mkdtemp(prefix="schoolplan-pg-"))
        self.data = self.folder / "data"
        self.port = _free_port()
        if self.as_root:  # PostgreSQL refuses to run as root: its files belong to postgres
            shutil.chown(self.folder, "postgres", "postgres")

    def run(self, *command, check=True):
        command = [str(self.bindir / command[0]), *command[1:]]
        if self.as_root:
            command = ["runuser", "-u", "postgres", "--", *command]
        return subprocess.run(
            command,
            check=check,
            capture_output=True,
            text=True,
            timeout=120,
            stdin=subprocess.DEVNULL,
        )

    def start(self):
        self.run("initdb", "-D", self.data, "-A", "trust", "-U", "postgres", "--no-sync")
        options = (
            f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 "
            "-c fsync=off -c synchronous_commit=off -c full_page_writes=off"
        )
        self.pg_ctl("start", "-o", options, "-l", self.folder / "log")
        self.run("createdb", "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", DATABASE)

    def pg_ctl(self, action, *options, check=True):
        command = ("pg_ctl", action, "-D", self.data, "-w", "-t", "60", *options)
        return self.run(*command, check=check)

    def restart(self, mode="fast"):
        # -l again: pg_ctl restart keeps the server's options, not its log file, and a server
        # writing to our pipe would keep this call waiting for ever.
        self.pg_ctl("restart", "-m", mode, "-l", self.folder / "log")

    def stop(self):
        self.pg_ctl("stop", "-m", "immediate", check=False)
        shutil.rmtree(self.folder, ignore_errors=True)

    @property
    def url(self):
        return f"postgres://postgres@127.0.0.1:{self.port}/{DATABASE}"

    def count(self, sql, *params):
        import psycopg

        with psycopg.connect(
            f"host=127.0.0.1 port={self.port} user=postgres dbname={DATABASE}"
        ) as c:
            return c.execute(sql, params).fetchone()[0]


@pytest.fixture(scope="module")
def postgres():
    bindir = _postgres_bin()
    if bindir is None or not (bindir / "initdb").exists():
        _need("needs PostgreSQL's server programs (initdb, pg_ctl) for a private server")
    server = PrivatePostgres(bindir)
    try:
        server.start()
    except subprocess.CalledProcessError as error:
        server.stop()
        pytest.fail(f"the private PostgreSQL did not start: {error.stderr}")
    yield server
    server.stop()


@pytest.fixture(scope="module")
def app(postgres):
    """gunicorn (one worker, persistent connections) on the private database, with its data."""
    faults = Path(tempfile.mkdtemp(prefix="schoolplan-faults-"))
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "schoolplan.settings",
        "DATABASE_URL": postgres.url,
        "DB_CONN_MAX_AGE": "600",
        "DEBUG": "0",
        # The second sign-in step is two_factor tests' business; this one is the database's.
        "TWO_FACTOR_REQUIRED": "0",
        "LOG_LEVEL": "ERROR",
        "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
        "FAULT_DIR": str(faults),
        "FAULT_PAUSE": "meetings.services:notify_district_of_cpm,meetings.services:send_invitation",
    }
    env.pop("REDIS_URL", None)  # e-mail is sent in-process; the fault is the database's
    manage = [sys.executable, "manage.py"]
    subprocess.run([*manage, "migrate", "--noinput", "-v", "0"], cwd=BASE_DIR, env=env, check=True)
    setup = subprocess.run(
        [sys.executable, "-c", SETUP], cwd=BASE_DIR, env=env, check=True, capture_output=True
    )
    ids = json.loads(setup.stdout.decode().strip().splitlines()[-1])
    port = _free_port()
    log = open(faults / "gunicorn.log", "w")  # noqa: SIM115 (closed below)
    server = subprocess.Popen(
        [
            *(sys.executable, "-m", "gunicorn", "tests.fault_wsgi:application"),
            *("--workers", "1", "--bind", f"127.0.0.1:{port}", "--timeout", "120"),
            "--no-control-socket",
        ],
        cwd=BASE_DIR,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            break
        except OSError:
            time.sleep(0.1)
    yield {"base": base, "faults": faults, "ids": ids, **ids}
    server.terminate()
    server.wait(timeout=10)
    log.close()
    shutil.rmtree(faults, ignore_errors=True)


@pytest.fixture
def browser(app):
    import requests

    session = requests.Session()
    login = f"{app['base']}/accounts/login/"
    page = session.get(login, timeout=30)
    assert page.status_code == 200
    response = session.post(
        login,
        data={
            "username": "fault-principal",
            "password": PASSWORD,
            "csrfmiddlewaretoken": _csrf(page.text),
        },
        allow_redirects=False,
        timeout=30,
    )
    assert response.status_code == 302, response.text[:500]
    return session


def _csrf(html):
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)


def _post_interrupted(app, postgres, session, url, data, pause, stop_at=1):
    """POST data to url, restart PostgreSQL while the request is stopped at pause's
    stop_at-th call; return (response, rows its transaction had written before the restart)."""
    faults = app["faults"]
    data = {**data, "csrfmiddlewaretoken": _csrf(session.get(url, timeout=30).text)}
    (faults / f"arm-{pause}").write_text(str(stop_at))
    result = {}

    def send():
        result["response"] = session.post(url, data=data, allow_redirects=False, timeout=120)

    request = threading.Thread(target=send)
    request.start()
    paused = faults / f"paused-{pause}"
    deadline = time.monotonic() + 30
    while not paused.exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    if not paused.exists():
        request.join(timeout=60)
        answer = result.get("response")
        pytest.fail(
            "the request never reached the point where it is interrupted: "
            f"{answer and answer.status_code} {answer and answer.headers.get('Location')} "
            f"{answer and answer.text[:2000]}"
        )
    written = json.loads(paused.read_text())
    paused.unlink()
    postgres.restart("fast")  # every connection ends, the open transaction with it
    (faults / f"resume-{pause}").write_text("go")
    request.join(timeout=120)
    return result["response"], written


def _rows(postgres):
    return {
        "meetings": postgres.count("select count(*) from meetings_meeting"),
        "agenda_items": postgres.count("select count(*) from meetings_agendaitem"),
        "invitations": postgres.count("select count(*) from meetings_invitation"),
        "outbox": postgres.count("select count(*) from schoolplan_outboxemail"),
    }


def _assert_clean_503(response):
    assert response.status_code == 503
    assert response.headers["Retry-After"]
    text = response.text
    assert "SchoolPlan is briefly unavailable" in text
    assert "half-saved" in text
    for leak in ("Traceback", "OperationalError", "psycopg", "File &quot;", 'File "'):
        assert leak not in text


@pytest.mark.services
def test_postgres_restarted_while_scheduling_a_cpm_meeting(app, postgres, browser, capsys):
    """Scheduling writes the meeting, its agenda, then the district's notice (the last write):
    PostgreSQL restarts between the agenda and the notice."""
    url = f"{app['base']}/schools/{app['school']}/cpm/schedule/"
    form = {
        "stage": "check_in",
        "title": "Check In after a restart",
        "date": on(2, 17).isoformat(),
        "start_time": "17:30",
        "end_time": "19:00",
        "place": "Library",
        "languages_offered": ["en", "es"],
    }
    before = _rows(postgres)
    response, written = _post_interrupted(
        app, postgres, browser, url, form, "notify_district_of_cpm"
    )
    # Before the restart the request had written its meeting and agenda (visible to itself)…
    assert written["meetings"] == before["meetings"] + 1
    assert written["agenda_items"] > before["agenda_items"]
    assert written["outbox"] == before["outbox"]
    # …and after it: a clean 503, and none of it kept.
    _assert_clean_503(response)
    after = _rows(postgres)
    assert after == before
    assert not postgres.count(
        "select count(*) from meetings_meeting where title = %s", form["title"]
    )

    again = browser.post(
        url,
        data={**form, "csrfmiddlewaretoken": _csrf(browser.get(url, timeout=30).text)},
        allow_redirects=False,
        timeout=60,
    )
    assert again.status_code == 302 and "/meetings/" in again.headers["Location"]
    done = _rows(postgres)
    assert done["meetings"] == before["meetings"] + 1
    assert done["agenda_items"] == written["agenda_items"]
    assert done["outbox"] == before["outbox"] + 1
    with capsys.disabled():
        print(
            f"\n[fault: PostgreSQL restarted mid-request, scheduling] interrupted request: "
            f"{response.status_code}; written before the restart: "
            f"{written['meetings'] - before['meetings']} meeting, "
            f"{written['agenda_items'] - before['agenda_items']} agenda items; left after: "
            f"{sum(after.values()) - sum(before.values())} rows; "
            f"next request: {again.status_code} (meeting, agenda and notice saved)"
        )


@pytest.mark.services
def test_postgres_restarted_while_inviting_three_people(app, postgres, browser, capsys):
    """Inviting writes an invitation and its e-mail per person: PostgreSQL restarts after the
    first person's two rows and the second's invitation, before the second's e-mail."""
    url = f"{app['base']}/meetings/{app['meeting']}/invite/"
    form = {"people": app["staff"]}
    before = _rows(postgres)
    response, written = _post_interrupted(
        app, postgres, browser, url, form, "send_invitation", stop_at=2
    )
    assert written["invitations"] == before["invitations"] + 2
    assert written["outbox"] == before["outbox"] + 1
    _assert_clean_503(response)
    after = _rows(postgres)
    assert after == before

    again = browser.post(
        url,
        data={**form, "csrfmiddlewaretoken": _csrf(browser.get(url, timeout=30).text)},
        allow_redirects=False,
        timeout=60,
    )
    assert again.status_code == 302
    done = _rows(postgres)
    assert done["invitations"] == before["invitations"] + 3
    assert done["outbox"] == before["outbox"] + 3
    with capsys.disabled():
        print(
            f"\n[fault: PostgreSQL restarted mid-request, inviting] interrupted request: "
            f"{response.status_code}; written before the restart: 2 invitations, 1 e-mail; "
            f"left after: {sum(after.values()) - sum(before.values())} rows; "
            f"next request: {again.status_code} (3 invitations, 3 e-mails)"
        )


@pytest.mark.services
def test_postgres_restarted_between_requests_costs_no_request(app, postgres, browser):
    """A kept (persistent) connection is dead after a restart; the health check replaces it
    before the next request uses it."""
    url = f"{app['base']}/schools/{app['school']}/"
    assert browser.get(url, timeout=30).status_code == 200
    postgres.restart("immediate")  # as a crash would: no goodbye to the clients
    assert browser.get(url, timeout=30).status_code == 200
    assert browser.get(url, timeout=30).status_code == 200


@pytest.mark.parametrize("error", [OperationalError, InterfaceError])
def test_a_lost_connection_is_a_503_page_needing_no_database(error):
    middleware = DatabaseUnavailableMiddleware(lambda request: None)
    response = middleware.process_exception(RequestFactory().post("/x/"), error("gone"))
    assert response.status_code == 503
    assert response["Retry-After"] == "10"
    assert b"SchoolPlan is briefly unavailable" in response.content


def test_other_errors_are_left_to_the_500_page():
    middleware = DatabaseUnavailableMiddleware(lambda request: None)
    assert middleware.process_exception(RequestFactory().get("/"), ValueError("bug")) is None


def test_a_database_lost_before_the_view_is_the_503_page_too(client, django_user_model):
    """Loading the session happens before any view or view middleware: handler500 answers."""
    from unittest import mock

    from django.db import OperationalError

    user = django_user_model.objects.create_user("someone", password="x")
    client.force_login(user)
    client.raise_request_exception = False
    with mock.patch(
        "django.contrib.sessions.backends.db.SessionStore.load",
        side_effect=OperationalError("the database system is shutting down"),
    ):
        response = client.get("/")
    assert response.status_code == 503
    assert response["Retry-After"] == "10"
    assert b"shutting down" not in response.content


def test_the_health_check_needs_no_login_and_answers_ok(client, db):
    response = client.get("/health/")
    assert response.status_code == 200 and response.content == b"ok"
    assert client.post("/health/").status_code == 405
