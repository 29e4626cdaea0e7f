"""Defects an attack on the production setup found (issue 20), each with the test that failed:
derived text cut to its column (on PostgreSQL a value one character too long is a 500), the
analysis page of a non-CAP meeting, the workshop pre-work file, uploads that outlived their
record, and the families' SPF summary without a length limit."""

from datetime import time

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction

from meetings import cap, services, workshops
from meetings.models import AgendaItem, Meeting
from plans.models import PlanChange
from progress.models import SpfSummary
from schoolplan import audit
from schoolplan.mail import queue_email
from schoolplan.models import OutboxEmail, Role
from schoolplan.models.audit import AuditEvent
from schoolplan.text import fit

from ..cap_helpers import make_class, make_point, schedule_cap
from ..clock import on
from ..factories import SchoolFactory, member
from ..meeting_helpers import schedule
from .test_workshops import (
    AFTER_PRIORITY,
    _register,
    _school,
)
from .test_workshops import series as workshop_series  # noqa: F401 (a fixture)

pytestmark = pytest.mark.django_db


@pytest.fixture
def principal(school, school_year):
    return member(Role.PRINCIPAL, school)


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def stored(media):
    return sorted(p.name for p in media.rglob("*") if p.is_file())


# --- Derived text fits its column (run on PostgreSQL in CI, where overflow is a 500) ---------


def test_fit_cuts_to_the_column_with_an_ellipsis():
    assert fit(AgendaItem, "title", "short") == "short"
    cut = fit(AgendaItem, "title", "x" * 1000)
    assert len(cut) == 300 and cut.endswith("…")


def test_check_in_with_the_longest_goals_schedules(school, principal):
    """The reported 500: an agenda line "Progress toward our goal: <goal>" from a 500-char goal."""
    kick_off = schedule(school, principal)
    services.add_goal(kick_off, user=principal, text="G" * 500)
    check_in = schedule(school, principal, "check_in", on(12, 10))
    titles = list(check_in.agenda_items.values_list("title", flat=True))
    assert any(t.startswith("Progress toward our goal: GGG") and len(t) == 300 for t in titles)
    wrap_up = schedule(school, principal, "wrap_up", on(5, 20))
    assert max(len(t) for t in wrap_up.agenda_items.values_list("title", flat=True)) == 300


def test_cap_meeting_title_from_the_longest_class_and_point_names(school, school_year, clock):
    [(_, _, title)] = _cap_title(school, None, clock)  # the inventory's place, on any database
    assert len(title) <= Meeting._meta.get_field("title").max_length


def test_workshop_session_title_from_the_longest_series_title(school, school_year, clock):
    titles = [title for _, _, title in _workshop_title(school, None, clock)]
    assert titles and all(len(title) == 200 for title in titles)


def test_audit_outbox_and_plan_history_labels_fit(school):
    user = member(Role.PRINCIPAL, school)
    audit.record(user, "x", summary="S" * 5000, subject="s" * 500)
    event = AuditEvent.objects.get(action="x")
    assert (len(event.summary), len(event.subject)) == (300, 80)
    queue_email("long-subject", ["a@example.org"], "Subject " * 100, "body")
    assert len(OutboxEmail.objects.get(key="long-subject").subject) == 300
    assert PlanChange._meta.get_field("object_label").max_length == 300


def test_every_place_that_builds_text_from_typed_text_uses_fit():
    """The inventory: the places that save derived text into a CharField. A new one belongs
    here, with a test above."""
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    places = {
        "meetings/models/engine.py": 'fit(AgendaItem, "title"',
        "meetings/cap.py": 'fit(Meeting, "title"',
        "meetings/workshops.py": 'fit(Meeting, "title"',
        "schoolplan/audit.py": 'fit(AuditEvent, "summary"',
        "schoolplan/mail.py": 'fit(OutboxEmail, "subject"',
        "schoolplan/reminders.py": 'fit(Reminder, "title"',
        "plans/services.py": 'fit(PlanChange, "object_label"',
        "plans/cadre.py": 'fit(PlanChange, "object_label"',
        "plans/surveys.py": 'fit(Survey, "file_name"',
        "plans/workflow.py": 'fit(PlanChange, "object_label"',
        "schoolplan/pdf_jobs.py": 'fit(PdfJob, "title"',
    }
    for path, call in places.items():
        assert call in (root / path).read_text(), path


# --- The analysis page of a meeting that is not a CAP ----------------------------------------


def test_analysis_page_of_a_cpm_meeting_is_not_found(client, school, principal):
    meeting = schedule(school, principal)
    client.force_login(principal)
    assert client.get(f"/meetings/{meeting.pk}/analysis/").status_code == 404


def test_notes_and_reviews_of_a_cpm_meeting_are_not_found(client, school, principal):
    """The other CAP-only addresses answered a POST about any other meeting with a 500."""
    meeting = schedule(school, principal)
    client.force_login(principal)
    note = {"note-kind": "group", "note-subject": "Readers", "note-note": "Doing well"}
    assert client.post(f"/meetings/{meeting.pk}/notes/", note).status_code == 404
    item = services.add_action_item(meeting, user=principal, description="Call families")
    review = {f"review-{item.pk}-outcome": "done"}
    url = f"/meetings/{meeting.pk}/reviews/{item.pk}/"
    assert client.post(url, review).status_code == 404


# --- Uploads live as long as their record -----------------------------------------------------


@pytest.fixture
def cap_record(school, school_year):
    teacher = member(Role.SCHOOL_STAFF, school)
    meeting = schedule_cap(
        make_class(school, school_year, teacher), make_point(school, school_year), teacher
    )
    return meeting.cap, teacher


def _attach(record, teacher, name, clear=False):
    cap.save_analysis(
        record,
        user=teacher,
        strengths="Readers",
        areas_of_focus="Fractions",
        assessment_file=SimpleUploadedFile(name, b"pupil,score\nJD,12\n") if name else None,
        clear_file=clear,
    )


def test_a_replaced_or_cleared_upload_leaves_storage(
    media, cap_record, django_capture_on_commit_callbacks
):
    record, teacher = cap_record
    with django_capture_on_commit_callbacks(execute=True):
        _attach(record, teacher, "first.csv")
    assert stored(media) == ["first.csv"]
    with django_capture_on_commit_callbacks(execute=True):
        _attach(record, teacher, "second.csv")
    assert stored(media) == ["second.csv"]
    with django_capture_on_commit_callbacks(execute=True):
        _attach(record, teacher, None, clear=True)
    assert stored(media) == []


def test_a_deleted_record_takes_its_upload(media, cap_record, django_capture_on_commit_callbacks):
    record, teacher = cap_record
    with django_capture_on_commit_callbacks(execute=True):
        _attach(record, teacher, "scores.csv")
        record.meeting.delete()
    assert stored(media) == []


def test_a_rolled_back_replacement_keeps_the_file(
    media, cap_record, django_capture_on_commit_callbacks
):
    record, teacher = cap_record
    with django_capture_on_commit_callbacks(execute=True):
        _attach(record, teacher, "kept.csv")
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        try:
            with transaction.atomic():
                _attach(record, teacher, "lost.csv")
                raise RuntimeError("the request failed after the save")
        except RuntimeError:
            pass
    assert callbacks == []  # nothing scheduled to delete "kept.csv"
    assert "kept.csv" in stored(media)


def test_a_save_that_leaves_the_file_column_alone_keeps_the_file(
    media, cap_record, django_capture_on_commit_callbacks
):
    """A record read before its file was replaced, saved with update_fields that leave the file
    alone, must not remove the file the row names now."""
    record, teacher = cap_record
    with django_capture_on_commit_callbacks(execute=True):
        _attach(record, teacher, "first.csv")
    stale = type(record).objects.get(pk=record.pk)
    with django_capture_on_commit_callbacks(execute=True):
        _attach(record, teacher, "second.csv")
    with django_capture_on_commit_callbacks(execute=True):
        stale.strengths = "Readers and writers"
        stale.save(update_fields=["strengths"])
    assert stored(media) == ["second.csv"]


# --- The workshop pre-work file is served, to those who see the registration -----------------


def test_prework_file_is_named_and_served_to_the_school_and_not_to_others(
    client,
    media,
    district,
    workshop_series,  # noqa: F811 (the fixture)
):
    school = _school(district)
    registration = _register(workshop_series, school, today=AFTER_PRIORITY)
    registration.prework_file.save("sami-actions.txt", ContentFile(b"1. Walkthroughs\n"))
    client.force_login(member(Role.PRINCIPAL, school))
    page = client.get(registration.get_absolute_url()).content.decode()
    url = f"/workshops/registrations/{registration.pk}/prework/"
    assert f'href="{url}"' in page and "sami-actions" in page
    response = client.get(url)
    assert response.status_code == 200 and b"".join(response.streaming_content) == (
        b"1. Walkthroughs\n"
    )
    client.force_login(member(Role.PRINCIPAL, SchoolFactory(name="Elsewhere")))
    assert client.get(url).status_code == 404


# --- The families' SPF summary has a limit, and a refusal keeps the text ---------------------


def test_spf_summary_over_the_limit_is_refused_with_the_text_kept(client, school, principal):
    client.force_login(principal)
    text = "Our school " * 1000  # 11,000 characters
    response = client.post(f"/schools/{school.pk}/spf/", {"text-en": text, "action": "save"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "At most 10,000 characters" in page and text.strip() in page
    assert not SpfSummary.objects.filter(school=school).exclude(texts={}).exists()


def test_every_public_text_has_its_documented_limit():
    """README, "Length limits": the families' pages show nothing without a limit."""
    from pathlib import Path

    from meetings.models import Goal
    from plans.models import Blueprint, Initiative
    from progress.models import Metric
    from schoolplan.models import District, School

    def limit(model, name):
        return model._meta.get_field(name).max_length

    assert SpfSummary.MAX_CHARS == 10_000
    assert limit(Blueprint, "theory_of_action") == 5000
    assert (limit(Initiative, "title"), limit(Initiative, "description")) == (300, 5000)
    assert limit(Goal, "text") == 500
    assert (limit(Metric, "name"), limit(Metric, "unit")) == (200, 40)  # shown with the goals
    assert [limit(Meeting, n) for n in ("title", "place", "video_link")] == [200, 200, 200]
    assert (limit(School, "name"), limit(District, "name")) == (200, 200)
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    assert "### Length limits" in readme and "| family SPF summary" in readme
    assert "| a goal's measure: name / unit | 200 / 40 |" in readme


# --- The inventory, on PostgreSQL: every place that saves text built from typed text ----------
#
# Each place is fed the longest values people may type (names, goals, titles, file names) and
# must save without a DataError, its text cut to the column. SQLite does not enforce a column's
# length, so this runs on PostgreSQL (CI sets DATABASE_URL; locally it skips without it).

LONG_SCHOOL, LONG_DISTRICT = "É" * 200, "D" * 200  # School.name, District.name: 200 each


@pytest.fixture
def on_postgresql(db):
    from django.db import connection

    from ..conftest import IN_CI

    if connection.vendor != "postgresql":
        message = "needs PostgreSQL (DATABASE_URL): SQLite does not enforce a column's length"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)


@pytest.fixture
def longest(district, school, school_year, principal):
    """The tests' district and school under the longest names their columns take."""
    from schoolplan.models import District, School

    District.objects.filter(pk=district.pk).update(name=LONG_DISTRICT)
    School.objects.filter(pk=school.pk).update(name=LONG_SCHOOL)
    district.refresh_from_db()
    school.refresh_from_db()
    return school


def _values(queryset, field):
    return [(queryset.model, field, v) for v in queryset.values_list(field, flat=True)]


def _check_in_agenda(school, user, clock):
    kick_off = schedule(school, user)
    services.add_goal(kick_off, user=user, text="G" * 500)
    check_in = schedule(school, user, "check_in", on(12, 10))
    return _values(check_in.agenda_items, "title")


def _wrap_up_agenda(school, user, clock):
    kick_off = schedule(school, user)
    for letter in "GH":
        services.add_goal(kick_off, user=user, text=letter * 500)
    return _values(schedule(school, user, "wrap_up", on(5, 20)).agenda_items, "title")


def _cap_title(school, user, clock):
    teacher = member(Role.SCHOOL_STAFF, school)
    year = kick_off_year(school)
    meeting = schedule_cap(
        make_class(school, year, teacher, name="C" * 100),
        make_point(school, year, name="P" * 100),
        teacher,
    )
    return _values(Meeting.objects.filter(pk=meeting.pk), "title")


def _workshop_title(school, user, clock):
    staff = member(Role.DISTRICT_STAFF, school.district)
    series = workshops.create_series(
        district=school.district,
        year=kick_off_year(school),
        user=staff,
        title="T" * 200,
        description="",
        registration_opens=on(12, 1),
        priority_closes=on(12, 14),
        registration_closes=on(1, 15),
    )
    workshops.add_session(
        series,
        user=staff,
        day=on(2, 2),
        starts=time(9),
        ends=time(12),
        place="District office",
        level="elementary",
        capacity=10,
    )
    return _values(Meeting.objects.filter(workshop__series=series), "title")


def _cpm_notice_subject(school, user, clock):
    schedule(school, user, title="T" * 200)  # "CPM meeting scheduled: <school> – <title>"
    return _values(OutboxEmail.objects.filter(key__startswith="cpm-notice:"), "subject")


def _audit_from_a_record(school, user, clock):
    from meetings.models import Goal

    goal = Goal.objects.create(school=school, school_year=kick_off_year(school), text="G" * 500)
    audit.record(user, "goal-looked-at", goal)  # the summary is the goal's own text
    audit.record(user, "given", summary="S" * 5000, subject="s" * 500)
    events = AuditEvent.objects.filter(action__in=["goal-looked-at", "given"])
    return _values(events, "summary") + _values(events, "subject")


def _failed_sign_in_username(school, user, clock):
    audit._login_failed(sender=None, credentials={"username": "u" * 1000})  # the receiver
    return _values(AuditEvent.objects.filter(action="login_failed"), "username")


def _reminder_title_and_email(school, user, clock):
    from schoolplan import reminders
    from schoolplan.models import Reminder

    clock.set(on(11, 27))  # the Kick Off window closes in 3 days: "<school>: Kick Off: …"
    reminders.record(on(11, 27))
    reminders.dispatch()
    return _values(Reminder.objects.all(), "title") + _values(
        OutboxEmail.objects.filter(key__startswith="reminder:"), "subject"
    )


def _plan_history_item_label(school, user, clock):
    from meetings.models import Goal
    from plans import services as plan_services

    plan_services.add(
        Goal, user=user, school=school, school_year=kick_off_year(school), text="G" * 500
    )
    return _values(PlanChange.objects.filter(object_kind="goal"), "object_label")


def _plan_history_started_plan(school, user, clock):
    from plans import services as plan_services
    from plans.models import PlanForImprovement

    lead = member(Role.CIM_LEAD, school.district)
    plan_services.start_document(
        PlanForImprovement, user=lead, district=school.district, school_year=kick_off_year(school)
    )
    return _values(PlanChange.objects.filter(object_kind="plan"), "object_label")


def _plan_history_blueprint(school, user, clock):
    from plans import workflow

    blueprint = workflow.start_blueprint(school=school, year=kick_off_year(school), user=user)
    blueprint.theory_of_action = "If we …, then …"
    blueprint.save()
    workflow.unpublish_blueprint(workflow.publish_blueprint(blueprint, user=user), user=user)
    return _values(PlanChange.objects.filter(blueprint=blueprint), "object_label")


def _plan_history_cadre(school, user, clock):
    from plans import cadre as cadre_services
    from plans.models import CadreAction, CadreMember, CommpactStep
    from schoolplan.models import CadreGroup

    clock.set(on(11, 20))
    cadre = cadre_services.start_cadre(school=school, year=kick_off_year(school), user=user)
    CadreAction.objects.create(cadre=cadre, description="Family center", owner="Cadre")
    lucia = CadreMember.objects.create(cadre=cadre, name="L" * 200, group=CadreGroup.PARENT)
    cadre_services.record_consensus(
        cadre.steps.get(step=CommpactStep.ACTION_PLAN),
        user=user,
        agreed_on=on(11, 1),
        decision="D" * 500,
        agreed_by=[lucia],
    )
    cadre_services.share_plan(cadre, user=user)
    return _values(PlanChange.objects.filter(cadre=cadre), "object_label") + _values(
        OutboxEmail.objects.all(), "subject"
    )


def _survey_file_name(school, user, clock):
    from plans import cadre as cadre_services
    from plans import surveys
    from plans.models import Survey

    cadre = cadre_services.start_cadre(school=school, year=kick_off_year(school), user=user)
    data = b"respondent_group,I feel welcome\nparent,Agree\n"
    surveys.import_survey(
        cadre, user=user, kind="parent", title="T" * 200, data=data, file_name="f" * 250 + ".csv"
    )
    return _values(Survey.objects.all(), "file_name") + _values(Survey.objects.all(), "title")


def _pdf_job_title(school, user, clock):
    from schoolplan import pdf_jobs
    from schoolplan.models import PdfJob

    def render(params, user):
        return b"%PDF-1.7", f"Compliance – {school.district.name} – {school.name}", "c.pdf"

    kinds = {**pdf_jobs.PDF_KINDS, "long-title": pdf_jobs.PdfKind(lambda u, p: ("", ""), render)}
    previous, pdf_jobs.PDF_KINDS = pdf_jobs.PDF_KINDS, kinds
    try:
        job = PdfJob.objects.create(kind="long-title", params={}, requested_by=user)
        pdf_jobs.render_pdf_job(job.pk)
    finally:
        pdf_jobs.PDF_KINDS = previous
    return _values(PdfJob.objects.filter(pk=job.pk), "title")


def kick_off_year(school):
    from schoolplan.models import SchoolYear

    return SchoolYear.objects.get(district=school.district_id)


# place -> (what it does, whether the longest input must be cut there)
PLACES = {
    "AgendaItem.title: Check In line from a goal (meetings/cpm_scheduling.py)": (
        _check_in_agenda,
        True,
    ),
    "AgendaItem.title: Wrap Up line from every goal": (_wrap_up_agenda, True),
    "Meeting.title: CAP, from class and point names (meetings/cap.py)": (_cap_title, False),
    "Meeting.title: workshop session, from the series (meetings/workshops.py)": (
        _workshop_title,
        False,
    ),
    "OutboxEmail.subject: CPM notice, school + meeting title (schoolplan/mail.py)": (
        _cpm_notice_subject,
        True,
    ),
    "AuditEvent.summary/subject: a record's name, given text (schoolplan/audit.py)": (
        _audit_from_a_record,
        True,
    ),
    "AuditEvent.username: a failed sign-in's typed name": (_failed_sign_in_username, True),
    "Reminder.title and its e-mail subject: from a school name (schoolplan/reminders.py)": (
        _reminder_title_and_email,
        False,
    ),
    "PlanChange.object_label: an item (plans/services.py _record)": (
        _plan_history_item_label,
        True,
    ),
    "PlanChange.object_label: a plan started (plans/services.py start_document)": (
        _plan_history_started_plan,
        False,
    ),
    "PlanChange.object_label: Blueprint published, withdrawn (plans/workflow.py)": (
        _plan_history_blueprint,
        False,
    ),
    "PlanChange.object_label: consensus, plan shared (plans/cadre.py)": (
        _plan_history_cadre,
        True,
    ),
    "Survey.file_name (plans/surveys.py)": (_survey_file_name, True),
    "PdfJob.title (schoolplan/pdf_jobs.py)": (_pdf_job_title, False),
}


@pytest.mark.parametrize("place", PLACES)
def test_the_longest_typed_text_saves_at_every_place_on_postgresql(
    on_postgresql, longest, principal, clock, place
):
    make, must_cut = PLACES[place]
    saved = make(longest, principal, clock)  # a DataError here is the 500 families would see
    assert saved, "nothing saved: the place was not reached"
    for model, field, value in saved:
        assert len(value) <= model._meta.get_field(field).max_length, (model, field)
    if must_cut:
        assert any(value.endswith("…") for _, _, value in saved), "the longest input was not cut"
