"""issue 24: the features that lock, race or trigger, run through Debian's PgBouncer in
transaction mode (server-side cursors off, as the README says). Each transaction may land on
another server connection, so anything kept in a session (an advisory lock, a SET, a LISTEN, a
cursor outliving its transaction) would break here: the code uses none (checked below), and
row locks, skip-locked claims and the submitted report's trigger live inside one transaction.

The test database itself is reached through PgBouncer: the suite's connection (and every
thread's) is pointed at it for the test, so the domain code runs unchanged."""

import re
import shutil
import tempfile
import threading
from pathlib import Path

import pytest
from django.conf import settings
from django.db import IntegrityError, connection, connections, transaction

from meetings import workshops
from meetings.models import ActionItem, RegistrationStatus, WorkshopRegistration
from progress.models import ProgressReport, RenderJob
from progress.reports import render as report_render
from schoolplan.models import OutboxEmail, Reminder, Role
from schoolplan.tasks import sweep_reminders

from ..cim_helpers import submittable_report
from ..clock import YEAR, on
from ..factories import SchoolFactory, SchoolYearFactory, member
from ..meeting_helpers import schedule
from ..service_helpers import PGBOUNCER, needs, pgbouncer_transactions, start_pgbouncer
from ..workshop_helpers import AFTER_PRIORITY, designated_school, make_series

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]
BASE_DIR = Path(settings.BASE_DIR)


@pytest.fixture
def bouncer():
    """PgBouncer (transaction mode, a pool of two) in front of the test database, and Django's
    connections pointed at it until the test ends (then back, for the flush)."""
    needs(
        connection.vendor == "postgresql" and Path(PGBOUNCER).exists(),
        "needs PostgreSQL (DATABASE_URL) and Debian's pgbouncer (.ci/run installs it)",
    )
    db = connection.settings_dict
    folder = Path(tempfile.mkdtemp(prefix="pgbouncer-flows-"))
    folder.chmod(0o777)
    user = db["USER"] or "postgres"
    process, port = start_pgbouncer(
        folder,
        host=db["HOST"] or "127.0.0.1",
        port=db["PORT"] or 5432,
        dbname=db["NAME"],
        user=user,
    )
    direct = {key: db[key] for key in ("HOST", "PORT", "NAME", "DISABLE_SERVER_SIDE_CURSORS")}
    connections.close_all()
    # The one settings dict every thread's connection is made from.
    db.update(HOST="127.0.0.1", PORT=port, NAME="app", DISABLE_SERVER_SIDE_CURSORS=True)
    try:
        yield {"user": user, "port": port}
    finally:
        connections.close_all()
        db.update(direct)
        process.terminate()
        process.wait(timeout=20)
        shutil.rmtree(folder, ignore_errors=True)


def _in_threads(count, work):
    """Run work(n) in count threads that start together; returns what each returned."""
    barrier, results = threading.Barrier(count), {}

    def run(n):
        from django.db import connection as thread_connection

        try:
            barrier.wait()
            results[n] = work(n)
        finally:
            thread_connection.close()

    threads = [threading.Thread(target=run, args=(n,)) for n in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def test_the_connection_really_goes_through_pgbouncer(bouncer):
    before = pgbouncer_transactions(bouncer["user"], bouncer["port"])
    for _ in range(5):
        with transaction.atomic():
            OutboxEmail.objects.exists()
    with connection.cursor() as cursor:
        cursor.execute("SHOW port")
        assert int(cursor.fetchone()[0]) != bouncer["port"]  # PostgreSQL's, behind it
    assert connection.settings_dict["PORT"] == bouncer["port"]
    assert pgbouncer_transactions(bouncer["user"], bouncer["port"]) >= before + 5


def test_two_reminder_sweeps_at_once_record_and_send_each_reminder_once(
    bouncer, clock, eager_celery, mailoutbox
):
    """A second beat, through the pooler: the sweeps' skip-locked claims are row locks inside
    their transactions, so two at once still make one reminder and one e-mail each."""
    school = SchoolFactory()
    SchoolYearFactory(district=school.district, start_year=YEAR)
    meeting = schedule(school, member(Role.PRINCIPAL, school), day=on(9, 15))
    clock.set(on(10, 5))
    for n in range(6):
        ActionItem.objects.create(
            meeting=meeting,
            description=f"Task {n}",
            owner=member(Role.SCHOOL_STAFF, school),
            due_on=on(10, 6),
        )
    _in_threads(3, lambda n: sweep_reminders())
    reminders = Reminder.objects.filter(channel="email")
    assert reminders.count() == 6
    keys = {f"reminder:{pk}" for pk in reminders.values_list("pk", flat=True)}
    sent = [m.extra_headers.get("X-SchoolPlan-Key") for m in mailoutbox]
    assert sorted(k for k in sent if k in keys) == sorted(keys)
    assert not OutboxEmail.objects.filter(sent_at__isnull=True).exists()


def test_a_workshop_registration_race_through_pgbouncer_gives_the_last_place_once(
    bouncer, district, school_year
):
    series = make_series(district, school_year, capacities=(3, 30), levels=("elementary",))
    session = series.sessions.get()
    for _ in range(2):
        workshops.register(
            series,
            school=designated_school(district),
            session=session,
            user=None,
            people=6,
            prework="x",
            today=AFTER_PRIORITY,
        )
    racers = [designated_school(district) for _ in range(5)]
    outcomes = _in_threads(
        len(racers),
        lambda n: (
            workshops.register(
                series,
                school=racers[n],
                session=session,
                user=None,
                people=6,
                prework="x",
                today=AFTER_PRIORITY,
            ).status
        ),
    )
    assert sorted(outcomes.values()) == ["registered"] + ["waitlisted"] * 4
    registered = WorkshopRegistration.objects.filter(status=RegistrationStatus.REGISTERED)
    assert registered.count() == 3


def test_a_report_submitted_through_pgbouncer_is_sent_once_and_frozen(
    bouncer, district, school_year, clock, eager_celery, mailoutbox
):
    report, lead = submittable_report(district, school_year, clock)
    job = report_render.request_render(report, user=lead, submit=True)
    # A second delivery of the same task, at the same moment as another: claimed once.
    _in_threads(2, lambda n: report_render.run_job(job.pk))
    report = ProgressReport.objects.get(pk=report.pk)
    assert report.is_submitted and RenderJob.objects.get(pk=job.pk).status == "done"
    assert len([m for m in mailoutbox if "consultant@cde.example.gov" in m.to]) == 1
    # The trigger, through the pooler too: a submitted report cannot change.
    with pytest.raises(IntegrityError), transaction.atomic():
        ProgressReport.objects.filter(pk=report.pk).update(summary="changed")


# Session state a transaction-mode pooler would lose or leak to another client.
SESSION_STATE = re.compile(
    r"pg_(try_)?advisory_(un)?lock(_shared)?\(|\bLISTEN |\bNOTIFY |WITH HOLD|\bPREPARE |"
    r"\bSET (?!LOCAL\b|CONSTRAINTS\b)\w+ (TO|=)|set_config\(|server_side_binding|DISCARD ALL|"
    r"CREATE TEMP"
)


def test_no_feature_relies_on_session_state():
    """Advisory locks (only the _xact_ kind is safe), SET (only SET LOCAL), LISTEN/NOTIFY,
    held cursors, prepared statements and temporary tables all belong to a session, which
    PgBouncer hands to other clients between transactions."""
    found = []
    for app in ("schoolplan", "meetings", "plans", "progress", "demo"):
        for path in (BASE_DIR / app).rglob("*.py"):
            for number, line in enumerate(path.read_text().splitlines(), 1):
                code = line.split("#", 1)[0]
                if SESSION_STATE.search(code):
                    found.append(f"{path.relative_to(BASE_DIR)}:{number}: {line.strip()}")
    assert found == []
    assert not settings.DATABASES["default"].get("OPTIONS", {}).get("server_side_binding")
