"""Deadline reminders (DOMAIN: Reminders): the rules and their occasions, recording before
sending, never twice, preferences and digests, the outbox's retries and stale claims, and a
sweep whose query count does not grow with the number of schools."""

import threading
from datetime import timedelta

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from meetings.models import ActionItem, Invitation, Meeting, MeetingType
from plans import workflow
from progress.reports import periods as report_periods
from progress.reports import workflow as report_workflow
from schoolplan import deadlines, reminders
from schoolplan.mail import send_queued
from schoolplan.models import (
    CimStatus,
    EssaDesignation,
    NotificationSettings,
    OutboxEmail,
    Reminder,
    Role,
)

from ..clock import YEAR, on
from ..factories import SchoolFactory, SchoolYearFactory, member
from ..meeting_helpers import at, schedule
from ..school_plan_helpers import complete_plan

# Every rule here is read on a day of the school year the tests build.
pytestmark = [pytest.mark.django_db, pytest.mark.calendar]

NOV_27 = on(11, 27)  # 3 days before the Kick Off window closes (Nov 30)


def rules_of(today, name):
    return [d for d in deadlines.collect(today) if d.rule == name]


@pytest.fixture
def principal(school, school_year):
    return member(Role.PRINCIPAL, school)


# --- The rules -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("today", "occasion"),
    [
        (on(10, 30), f"{YEAR}-kick_off-30d"),  # 31 days left: the 30-day one is not due yet
        (on(10, 31), f"{YEAR}-kick_off-30d"),
        (on(11, 16), f"{YEAR}-kick_off-14d"),
        (on(11, 20), f"{YEAR}-kick_off-14d"),
        (on(11, 27), f"{YEAR}-kick_off-3d"),
        (on(11, 30), f"{YEAR}-kick_off-3d"),
    ],
)
def test_cpm_window_closing_occasions(principal, today, occasion):
    found = rules_of(today, "cpm-window")
    kick_off = [d for d in found if "Kick Off" in d.title]
    if today == on(10, 30):
        assert kick_off[0].occasion is None  # open, listed at home, not yet e-mailed
        return
    assert [d.occasion for d in kick_off] == [occasion]
    assert kick_off[0].recipients == [principal.pk]


def test_a_missed_occasion_is_not_sent_late_beyond_the_horizon(principal):
    # The 30-day reminder became due on Oct 31; on Nov 9 (9 days later) it is no longer sent.
    assert [d.occasion for d in rules_of(on(11, 7), "cpm-window")] == [f"{YEAR}-kick_off-30d"]
    assert [d.occasion for d in rules_of(on(11, 9), "cpm-window")] == [None]


def test_no_cpm_reminder_once_a_meeting_is_scheduled(school, principal):
    schedule(school, principal, day=on(11, 28))
    assert not [d for d in rules_of(NOV_27, "cpm-window") if "Kick Off" in d.title]


def test_spf_window_opening_and_closing_if_not_met(school, principal):
    assert [d.occasion for d in rules_of(on(10, 20), "spf-sharing")] == [f"{YEAR}-opens"]
    assert [d.occasion for d in rules_of(on(11, 1), "spf-sharing")] == [None]
    assert [d.occasion for d in rules_of(on(11, 7), "spf-sharing")] == [f"{YEAR}-closing"]
    from progress import spf

    summary = spf.save_texts(school, school.district.school_years.get(), {"en": "x"}, user=None)
    spf.publish(summary, user=principal)
    assert rules_of(on(11, 7), "spf-sharing") == []


def test_cim_month_on_the_twentieth(district, school_year):
    lead = member(Role.CIM_LEAD, district)
    assert rules_of(on(11, 19), "cim-month") == []
    found = rules_of(on(11, 20), "cim-month")
    assert [(d.occasion, d.recipients) for d in found] == [(f"{YEAR}-11", [lead.pk])]
    start = at(on(11, 25), 15)
    Meeting.objects.create(
        district=district,
        school_year=school_year,
        meeting_type=MeetingType.CIM_REVIEW,
        host_kind="district",
        title="Review",
        starts_at=start,
        ends_at=start + timedelta(hours=1),
    )
    assert rules_of(on(11, 21), "cim-month") == []


@pytest.mark.parametrize(
    ("today", "occasion"),
    [
        (on(10, 1), "14d"),
        (on(10, 12), "3d"),
        (on(10, 14), "1d"),
        (on(10, 16), "overdue"),
        (on(10, 30), None),  # overdue for two weeks: listed, no longer e-mailed
    ],
)
def test_progress_report_due_and_overdue(district, school_year, today, occasion):
    member(Role.CIM_LEAD, district)  # Intensive 1: quarterly, Q1 due Oct 15
    found = [d for d in rules_of(today, "progress-report") if d.subject.endswith(":1")]
    assert [d.occasion for d in found] == [occasion]


def test_no_report_reminder_once_submitted(district, school_year, clock):
    clock.set(on(10, 12))
    lead = member(Role.CIM_LEAD, district)
    due = report_periods.ensure_due_dates(district, school_year)[0]
    report = report_workflow.start_report(due, user=lead)
    report.status, report.submitted_at = "submitted", clock.now()
    report.save()
    assert not [d for d in rules_of(on(10, 12), "progress-report") if d.subject.endswith(":1")]


def test_essa_plan_21_and_7_days_before_and_on_the_day(school, school_year, principal):
    school.essa_designation = EssaDesignation.TARGETED
    school.save()
    for today, occasions in (
        (on(4, 23), []),  # 22 days before: not yet on anyone's list
        (on(4, 24), [f"{YEAR}-21d"]),
        (on(5, 2), [None]),  # listed at home; the 21-day e-mail is 8 days old
        (on(5, 8), [f"{YEAR}-7d"]),
        (on(5, 15), [f"{YEAR}-0d"]),
        (on(5, 16), []),
    ):
        assert [d.occasion for d in rules_of(today, "essa-plan")] == occasions, today
    plan = complete_plan(school, school_year, principal)
    workflow.submit(plan, user=principal)
    assert rules_of(on(5, 8), "essa-plan") == []


def test_action_items_due_tomorrow_and_overdue_go_to_their_owners(school, principal):
    meeting = schedule(school, principal, day=on(11, 10))
    owner = member(Role.SCHOOL_STAFF, school)
    item = ActionItem.objects.create(
        meeting=meeting, description="Send the flyer", owner=owner, due_on=on(11, 28)
    )
    found = rules_of(NOV_27, "action-item")
    assert [(d.occasion, d.recipients) for d in found] == [("due-tomorrow", [owner.pk])]
    assert [d.occasion for d in rules_of(on(11, 30), "action-item")] == ["overdue"]
    item.status = "done"
    item.save()
    assert rules_of(on(11, 30), "action-item") == []


def test_tomorrows_meetings_go_to_the_invited(school, principal):
    meeting = schedule(school, principal, day=on(11, 28))
    guest = member(Role.SCHOOL_STAFF, school)
    Invitation.objects.create(meeting=meeting, user=guest)
    found = rules_of(NOV_27, "meeting-tomorrow")
    assert [d.subject for d in found] == [f"meeting:{meeting.pk}"]
    assert guest.pk in found[0].recipients


# --- Recording and sending once ---------------------------------------------------------------


def test_a_sweep_run_twice_sends_one_email(
    principal, eager_celery, django_capture_on_commit_callbacks, clock
):
    clock.set(NOV_27)
    with django_capture_on_commit_callbacks(execute=True):
        reminders.sweep(NOV_27)
    with django_capture_on_commit_callbacks(execute=True):
        reminders.sweep(NOV_27)
    assert Reminder.objects.filter(recipient=principal).count() == 1
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert "schedule the Kick Off CPM meeting" in message.subject
    assert message.alternatives and "text/html" in message.alternatives[0][1]
    token = NotificationSettings.objects.get(user=principal).token
    assert reverse("notification_settings_token", args=[token]) in message.body


def test_the_reminder_is_recorded_before_any_email(principal, clock):
    clock.set(NOV_27)
    reminders.record(NOV_27)
    reminder = Reminder.objects.get(recipient=principal)
    assert reminder.channel == "" and not OutboxEmail.objects.exists()
    reminders.dispatch()
    reminder.refresh_from_db()
    assert reminder.channel == "email" and reminder.email_key == f"reminder:{reminder.pk}"
    assert OutboxEmail.objects.get().key == reminder.email_key


def test_a_muted_category_is_recorded_but_not_emailed(principal, clock):
    clock.set(NOV_27)
    NotificationSettings.objects.create(user=principal, muted=["cpm"])
    reminders.sweep(NOV_27)
    assert Reminder.objects.get(recipient=principal).channel == "muted"
    assert not OutboxEmail.objects.exists()


def test_the_digest_groups_a_persons_reminders(school, principal, clock):
    clock.set(NOV_27)
    NotificationSettings.objects.create(user=principal, digest=True)
    meeting = schedule(school, principal, day=on(11, 10))
    for description in ("Send the flyer", "Print the agenda"):
        ActionItem.objects.create(
            meeting=meeting, description=description, owner=principal, due_on=on(11, 28)
        )
    reminders.sweep(NOV_27)
    assert Reminder.objects.count() == 2
    assert set(Reminder.objects.values_list("channel", flat=True)) == {"digest"}
    assert not OutboxEmail.objects.filter(key__startswith="reminder:").exists()
    assert reminders.send_digests(NOV_27) == 1
    assert reminders.send_digests(NOV_27) == 0  # once a day
    digest = OutboxEmail.objects.get(key__startswith="digest:")
    assert "Send the flyer" in digest.body and "Print the agenda" in digest.body
    assert digest.key == f"digest:{principal.pk}:{NOV_27.isoformat()}"


def test_reminders_in_spanish_for_who_chose_it(principal, clock):
    clock.set(NOV_27)
    NotificationSettings.objects.create(user=principal, language="es")
    reminders.sweep(NOV_27)
    email = OutboxEmail.objects.get()
    body = email.body
    assert "Un recordatorio de SchoolPlan" in body and "Elija qué recordatorios" in body
    # The reminder's own words too, not only the e-mail around them (issue 22).
    said = f"Valdez Elementary: programe la reunión Kick Off CPM; su plazo cierra el 30 Nov {YEAR}"
    assert email.subject.startswith(said) and said in body
    assert "(quedan 3 días)" in body and "schedule the" not in body
    # The reminder itself stays in English for the pages, which are.
    assert Reminder.objects.get().title.startswith("Valdez Elementary: schedule the Kick Off CPM")


def test_the_settings_page_by_token_needs_no_login(client, principal):
    preferences = NotificationSettings.objects.create(user=principal)
    url = reverse("notification_settings_token", args=[preferences.token])
    response = client.post(url, {"wanted": ["spf", "essa"], "digest": "on", "language": "es"})
    assert response.status_code == 302
    preferences.refresh_from_db()
    assert preferences.digest and preferences.language == "es"
    assert "cpm" in preferences.muted and "spf" not in preferences.muted
    assert client.get(reverse("notification_settings_token", args=["wrong"])).status_code == 404


@pytest.mark.django_db(transaction=True)
def test_two_sweeps_at_once_send_one_email(school, school_year, clock):
    if connection.vendor != "postgresql":
        pytest.skip("concurrent transactions need PostgreSQL; CI runs this on it")
    clock.set(NOV_27)
    principal = member(Role.PRINCIPAL, school)
    barrier = threading.Barrier(2)

    def run():
        from django.db import connection as thread_connection

        try:
            barrier.wait()
            reminders.sweep(NOV_27)
        finally:
            thread_connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert Reminder.objects.filter(recipient=principal).count() == 1
    assert OutboxEmail.objects.filter(key__startswith="reminder:").count() == 1


# --- The outbox ---------------------------------------------------------------------------


def test_a_send_failing_twice_then_working_sends_once(principal, monkeypatch, settings, clock):
    clock.set(NOV_27)
    settings.OUTBOX_RETRY_BASE_SECONDS = 60
    reminders.record(NOV_27)
    reminders.dispatch()
    from django.core.mail import EmailMultiAlternatives

    real_send = EmailMultiAlternatives.send
    failures = {"left": 2}

    def flaky(self, fail_silently=False):
        if failures["left"]:
            failures["left"] -= 1
            raise OSError("SMTP down")
        return real_send(self, fail_silently)

    monkeypatch.setattr(EmailMultiAlternatives, "send", flaky)
    waits = []
    for _ in range(3):
        assert send_queued() in (0, 1)
        row = OutboxEmail.objects.get()
        if row.sent_at is None:
            waits.append(row.next_attempt_at - clock.now())
            OutboxEmail.objects.update(next_attempt_at=clock.now())  # time passes
    row = OutboxEmail.objects.get()
    assert row.sent_at and row.attempts == 3 and len(mail.outbox) == 1
    assert waits[0] < timedelta(seconds=61) < waits[1] <= timedelta(seconds=120)  # backing off


def test_a_stale_claim_is_taken_again_a_fresh_one_is_not(principal, settings, clock):
    clock.set(NOV_27)
    settings.OUTBOX_CLAIM_STALE_SECONDS = 600
    reminders.record(NOV_27)
    reminders.dispatch()
    OutboxEmail.objects.update(claimed_at=clock.now() - timedelta(seconds=60))
    assert send_queued() == 0  # another sender is at it
    OutboxEmail.objects.update(claimed_at=clock.now() - timedelta(seconds=601))
    assert send_queued() == 1  # that sender died: sent now, once
    assert send_queued() == 0 and len(mail.outbox) == 1


# --- In the app ---------------------------------------------------------------------------


def test_the_home_page_lists_the_same_deadlines(client, principal, school, clock):
    clock.set(NOV_27)
    client.force_login(principal)
    page = client.get(reverse("home")).content.decode()
    expected = [d.title for d in deadlines.collect(NOV_27) if principal.pk in d.recipients]
    assert expected  # the Kick Off is due, at least
    for title in expected:
        assert title.replace("'", "&#x27;") in page
    other = SchoolFactory(district=school.district)
    member(Role.PRINCIPAL, other)
    assert other.name not in page


def test_an_objects_page_shows_the_reminders_sent_about_it(client, school, principal, clock):
    clock.set(NOV_27)
    meeting = schedule(school, principal, day=on(11, 28))
    Invitation.objects.create(meeting=meeting, user=principal)
    reminders.sweep(NOV_27)
    client.force_login(principal)
    page = client.get(meeting.get_absolute_url()).content.decode()
    assert "Reminders sent about this" in page and "Tomorrow: " in page


# --- Scale --------------------------------------------------------------------------------


def _district_of(n, with_data=True):
    from ..factories import DistrictFactory

    district = DistrictFactory(cim_status=CimStatus.INTENSIVE_1)
    year = SchoolYearFactory(district=district, start_year=YEAR)
    member(Role.CIM_LEAD, district)
    for i in range(n):
        school = SchoolFactory(
            district=district,
            essa_designation=EssaDesignation.TARGETED if i % 3 == 0 else EssaDesignation.NONE,
        )
        principal = member(Role.PRINCIPAL, school)
        if with_data and i % 2:
            meeting = schedule(school, principal, stage="kick_off", day=on(11, 10))
            ActionItem.objects.create(
                meeting=meeting, description="x", owner=principal, due_on=on(11, 28)
            )
            Invitation.objects.create(meeting=meeting, user=principal)
    return district, year


def _sweep_queries(today):
    # The sweep's rules (every district at once); the home-only ones run for one person's
    # districts and read each district's compliance (tests/schoolplan/test_home.py counts the
    # home page).
    with CaptureQueriesContext(connection) as context:
        list(deadlines.collect(today, emails=True))
    return len(context.captured_queries)


@pytest.mark.parametrize("today", [NOV_27, on(11, 7), on(5, 8), on(10, 12)])
def test_the_rules_query_count_does_not_grow_with_schools(today):
    _district_of(10)
    small = _sweep_queries(today)
    _district_of(190)  # 200 schools in all
    assert _sweep_queries(today) == small


def test_recording_and_dispatching_do_not_grow_with_schools(clock):
    clock.set(NOV_27)
    _district_of(10)
    with CaptureQueriesContext(connection) as first:
        reminders.sweep(NOV_27)
    _district_of(190)
    Reminder.objects.all().delete()
    OutboxEmail.objects.all().delete()
    with CaptureQueriesContext(connection) as second:
        reminders.sweep(NOV_27)

    # The same statements, but for INSERTs that SQLite splits into batches (it takes at most
    # 999 parameters a statement; PostgreSQL writes each table in one INSERT).
    def statements(context):
        return [
            q["sql"].split()[0]
            for q in context.captured_queries
            if not q["sql"].startswith("INSERT")
        ]

    assert statements(second) == statements(first)
    if connection.vendor == "postgresql":
        assert len(second.captured_queries) == len(first.captured_queries)
    assert Reminder.objects.count() > 200


def test_the_settings_page_reads_without_writing_then_saves(client, principal):
    client.force_login(principal)
    assert client.get(reverse("notification_settings")).status_code == 200
    assert not NotificationSettings.objects.exists()  # no state change on GET
    client.post(reverse("notification_settings"), {"wanted": ["cpm"], "language": "en"})
    assert NotificationSettings.objects.get(user=principal).muted != []


def test_a_reminder_s_words_are_said_again_in_another_language():
    from datetime import date

    from django.utils import translation

    from schoolplan.phrases import Day, Phrase

    phrase = Phrase(
        "%(school)s: submit the ESSA action plan by %(day)s (%(left)s days)",
        school="Valdez",
        day=Day(date(2026, 12, 14)),
        left=5,
    )
    assert phrase == "Valdez: submit the ESSA action plan by 14 Dec 2026 (5 days)"
    again = Phrase.from_json(phrase.as_json())
    with translation.override("es"):
        assert (
            again.render()
            == "Valdez: entregue el plan de acción ESSA antes del 14 Dic 2026 (5 días)"
        )
