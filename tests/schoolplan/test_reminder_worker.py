"""Reminders against a real Redis broker and a real Celery worker in another process (CI).

The worker sends through tests.mail_backends.RecordingBackend, so every message really sent is
a file the test can count by its outbox key. SMTP cannot be exactly-once: a worker killed after
the server accepted a message and before the row is marked sent repeats that one message; the
kill test counts such repeats and reports them (it allows at most one, the message in flight).
"""

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from meetings.models import ActionItem
from progress.models import ProgressReport, RenderJob
from progress.reports import render as report_render
from schoolplan import mail
from schoolplan.models import AuditEvent, OutboxEmail, Reminder, Role
from schoolplan.tasks import send_queued_emails, sweep_reminders

from ..cim_helpers import submittable_report
from ..clock import YEAR, on
from ..conftest import IN_CI
from ..factories import DistrictFactory, SchoolFactory, SchoolYearFactory, member
from ..meeting_helpers import schedule

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.worker]
BASE_DIR = Path(settings.BASE_DIR)


@pytest.fixture
def services():
    redis_url = os.environ.get("REDIS_URL")
    if not redis_url or connection.vendor != "postgresql":
        message = "needs PostgreSQL (DATABASE_URL) and Redis (REDIS_URL)"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    return redis_url


@pytest.fixture
def mailbox(tmp_path):
    folder = tmp_path / "mail"
    folder.mkdir()
    return folder


@pytest.fixture
def workers(services, mailbox):
    started = []
    db = connection.settings_dict
    # What every Celery process here shares: the test database, Redis, the recorded mail.
    shared = {
        **os.environ,
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "REDIS_URL": services,
        "EMAIL_BACKEND": "tests.mail_backends.RecordingBackend",
        "EMAIL_FILE_PATH": str(mailbox),
        "OUTBOX_RETRY_BASE_SECONDS": "1",
        "OUTBOX_CLAIM_STALE_SECONDS": "2",
        "LOG_LEVEL": "WARNING",
    }

    def start(name, **extra_env):
        env = {**shared, **extra_env}
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "schoolplan",
                "worker",
                "--pool=solo",
                "--without-mingle",
                "--without-gossip",
                "--without-heartbeat",
                "-n",
                f"{name}-{os.getpid()}@%h",
                "--loglevel=WARNING",
            ],
            cwd=BASE_DIR,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        started.append(process)
        time.sleep(2.5)  # the worker connects to the broker
        return process

    def beat(name, folder, **extra_env):
        """A beat process (its own schedule file, as on another machine), logging what it sends
        to folder/<name>.log."""
        env = {**shared, "LOG_LEVEL": "INFO", **extra_env}
        process = subprocess.Popen(
            [
                *(sys.executable, "-m", "celery", "-A", "schoolplan", "beat"),
                *("--schedule", str(folder / f"{name}-schedule"), "--loglevel=INFO"),
            ],
            cwd=BASE_DIR,
            env=env,
            stdout=(folder / f"{name}.log").open("w"),
            stderr=subprocess.STDOUT,
        )
        started.append(process)
        return process

    start.beat = beat
    yield start
    for process in started:
        if process.poll() is None:
            process.kill()
        process.wait(timeout=10)


def _sent(mailbox):
    return Counter(path.name.split("--")[0] for path in mailbox.glob("*.eml"))


def _wait_all_sent(timeout=40, ring=False):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not OutboxEmail.objects.filter(sent_at__isnull=True).exists():
            return True
        if ring:  # what beat does every minute in production
            send_queued_emails.delay()
        time.sleep(1)
    return False


def _action_items(clock, count):
    """count action items due tomorrow, whatever day the suite runs: one reminder each. The
    worker is another process and reads the real date (not time-machine's): so does this."""
    school = SchoolFactory()
    SchoolYearFactory(district=school.district, start_year=YEAR)
    principal = member(Role.PRINCIPAL, school)
    meeting = schedule(school, principal, day=on(9, 15))
    tomorrow = clock.today() + timedelta(days=1)
    owners = [member(Role.SCHOOL_STAFF, school) for _ in range(count)]
    for n, owner in enumerate(owners):
        ActionItem.objects.create(
            meeting=meeting, description=f"Task {n}", owner=owner, due_on=tomorrow
        )
    return owners


def _wait_recorded(count, timeout=40):
    """Until the workers' sweep has recorded count e-mail reminders: a fixed sleep raced a
    worker slowed by a busy machine (nothing recorded yet reads as "all sent")."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if Reminder.objects.filter(channel="email").count() >= count:
            return True
        time.sleep(0.5)
    return False


def _reminder_keys():
    return {
        f"reminder_{pk}"
        for pk in Reminder.objects.filter(channel="email").values_list("pk", flat=True)
    }


def test_a_sweep_run_twice_sends_each_reminder_once(workers, mailbox, clock):
    _action_items(clock, 5)
    workers("one")
    sweep_reminders.delay()
    sweep_reminders.delay()
    assert _wait_recorded(5)
    time.sleep(1)  # the second sweep, had it recorded anything twice
    assert _wait_all_sent()
    sent = _sent(mailbox)
    keys = _reminder_keys()
    assert len(keys) >= 5
    assert {key: sent[key] for key in keys} == dict.fromkeys(keys, 1)


def test_two_sweeps_at_once_on_two_workers_send_each_once(workers, mailbox, clock):
    _action_items(clock, 8)
    workers("a")
    workers("b")
    for _ in range(4):
        sweep_reminders.delay()
    assert _wait_recorded(8)
    time.sleep(1)  # the later sweeps, had they recorded anything twice
    assert _wait_all_sent()
    sent = _sent(mailbox)
    keys = _reminder_keys()
    assert len(keys) >= 8 and {key: sent[key] for key in keys} == dict.fromkeys(keys, 1)


def test_a_send_failing_twice_then_working_sends_once(workers, mailbox, clock):
    _action_items(clock, 1)
    (mailbox / "failures-left").write_text("2")
    workers("flaky")
    sweep_reminders.delay()
    assert _wait_recorded(1)
    assert _wait_all_sent(ring=True)
    keys = _reminder_keys()
    sent = _sent(mailbox)
    assert {key: sent[key] for key in keys} == dict.fromkeys(keys, 1)
    # Both failures happened (to whichever e-mails came first); each row was still sent once.
    assert (mailbox / "failures-left").read_text() == "0"
    rows = list(OutboxEmail.objects.values_list("attempts", flat=True))
    assert sum(rows) == len(rows) + 2


def test_a_worker_killed_mid_batch_loses_nothing(workers, mailbox, capsys, clock):
    _action_items(clock, 20)
    first = workers("doomed", TEST_MAIL_DELAY="0.3")
    sweep_reminders.delay()
    deadline = time.monotonic() + 30
    while len(list(mailbox.glob("*.eml"))) < 4 and time.monotonic() < deadline:
        time.sleep(0.1)
    first.send_signal(signal.SIGKILL)  # mid-batch, no goodbye
    first.wait(timeout=10)
    before_restart = sum(_sent(mailbox).values())
    workers("rescuer")
    assert _wait_all_sent(timeout=60, ring=True)
    sent = _sent(mailbox)
    keys = _reminder_keys()
    assert len(keys) >= 20
    missing = [key for key in keys if sent[key] == 0]
    repeated = sum(sent[key] - 1 for key in keys if sent[key] > 1)
    with capsys.disabled():
        print(
            f"\n[worker killed mid-batch] reminders: {len(keys)}, sent before the kill: "
            f"{before_restart}, lost: {len(missing)}, repeated (SMTP window): {repeated}"
        )
    assert missing == []
    assert repeated <= 1  # only the message the server had accepted when the worker died


def test_two_workers_run_each_report_job_once_and_send_each_email_once(
    workers, mailbox, clock, district, school_year
):
    """issue 24, item 3: two workers drain the outbox and the report renderings together. Each
    submission's task is delivered twice (a retry, a second beat): the job is claimed once, the
    report frozen once, its e-mail sent once; the other queued e-mails too, once each."""
    reports = [submittable_report(district, school_year, clock)]
    for _ in range(2):
        other = DistrictFactory()
        year = SchoolYearFactory(district=other, start_year=YEAR)
        reports.append(submittable_report(other, year, clock))
    mail.queue_many(
        [
            {"key": f"notice:{n}", "to": [f"person{n}@example.org"], "subject": "S", "body": "B"}
            for n in range(12)
        ]
    )
    workers("a")
    workers("b")
    jobs = [report_render.request_render(r, user=lead, submit=True) for r, lead in reports]
    for job in jobs:
        report_render.render_report.delay(job.pk)  # the same task delivered a second time
    for _ in range(2):
        send_queued_emails.delay()
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if not RenderJob.objects.exclude(status="done").exists():
            break
        time.sleep(0.5)
    assert list(RenderJob.objects.values_list("status", flat=True)) == ["done"] * 3
    assert _wait_all_sent(timeout=60, ring=True)
    sent = _sent(mailbox)
    keys = {key.replace(":", "_") for key in OutboxEmail.objects.values_list("key", flat=True)}
    assert len(keys) == 15  # twelve notices and three submitted reports
    assert {key: sent[key] for key in keys} == dict.fromkeys(keys, 1)
    assert ProgressReport.objects.filter(status="submitted").count() == 3
    frozen = AuditEvent.objects.filter(action="progress-report-submitted")
    assert frozen.count() == 3  # each job's work done once


def test_a_second_beat_started_by_mistake_adds_nothing(workers, mailbox, clock, tmp_path):
    """issue 24, item 3: two real beat processes (a sweep every 2 s each, REMINDER_SWEEP_SECONDS)
    feeding two workers: the sweeps overlap and repeat, and each reminder is still recorded once
    and e-mailed once."""
    _action_items(clock, 6)
    workers("a")
    workers("b")
    for name in ("beat-1", "beat-2"):
        workers.beat(name, tmp_path, REMINDER_SWEEP_SECONDS="2")
    assert _wait_recorded(6)

    def sweeps_sent(name):
        text = (tmp_path / f"{name}.log").read_text()
        return text.count("Sending due task sweep-reminders")

    deadline = time.monotonic() + 40
    while time.monotonic() < deadline and min(map(sweeps_sent, ("beat-1", "beat-2"))) < 3:
        time.sleep(0.5)
    # Both beats really ran the sweep several times.
    assert sweeps_sent("beat-1") >= 3 and sweeps_sent("beat-2") >= 3
    assert _wait_all_sent()
    time.sleep(2)  # one more sweep each, had it recorded anything twice
    keys = _reminder_keys()
    assert len(keys) == 6
    sent = _sent(mailbox)
    assert {key: sent[key] for key in keys} == dict.fromkeys(keys, 1)
