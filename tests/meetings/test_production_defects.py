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


def test_cap_meeting_title_from_the_longest_class_and_point_names(school, school_year):
    teacher = member(Role.SCHOOL_STAFF, school)
    meeting = schedule_cap(
        make_class(school, school_year, teacher, name="C" * 100),
        make_point(school, school_year, name="P" * 100),
        teacher,
    )
    meeting.refresh_from_db()
    assert len(meeting.title) <= Meeting._meta.get_field("title").max_length


def test_workshop_session_title_from_the_longest_series_title(district, school_year):
    staff = member(Role.DISTRICT_STAFF, district)
    series = workshops.create_series(
        district=district,
        year=school_year,
        user=staff,
        title="T" * 200,
        description="",
        registration_opens=on(12, 1),
        priority_closes=on(12, 14),
        registration_closes=on(1, 15),
    )
    session = workshops.add_session(
        series,
        user=staff,
        day=on(2, 2),
        starts=time(9),
        ends=time(12),
        place="District office",
        level="elementary",
        capacity=10,
    )
    assert len(Meeting.objects.get(pk=session.meeting_id).title) == 200


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
    }
    for path, call in places.items():
        assert call in (root / path).read_text(), path


# --- The analysis page of a meeting that is not a CAP ----------------------------------------


def test_analysis_page_of_a_cpm_meeting_is_not_found(client, school, principal):
    meeting = schedule(school, principal)
    client.force_login(principal)
    assert client.get(f"/meetings/{meeting.pk}/analysis/").status_code == 404


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
    from schoolplan.models import District, School

    def limit(model, name):
        return model._meta.get_field(name).max_length

    assert SpfSummary.MAX_CHARS == 10_000
    assert limit(Blueprint, "theory_of_action") == 5000
    assert (limit(Initiative, "title"), limit(Initiative, "description")) == (300, 5000)
    assert limit(Goal, "text") == 500
    assert [limit(Meeting, n) for n in ("title", "place", "video_link")] == [200, 200, 200]
    assert (limit(School, "name"), limit(District, "name")) == (200, 200)
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    assert "### Length limits" in readme and "| family SPF summary" in readme
