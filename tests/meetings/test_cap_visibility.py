"""seed 003: pupil-level notes are student records, and so are group notes: "the three boys in
set 2" identifies children (issue 23).

The rule (documented in schoolplan/permissions.py, CLASS_TEAM): the class's teacher and
co-leaders, while on the school's staff, and the school's principal see and write them.
Nobody else: not a teacher of another class of the same school, not district or CIM staff,
not TA providers, cadre members, families or anyone at another school.
"""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from meetings import cap
from meetings.calendar import create_feed
from meetings.models import GroupNote, PupilNote
from schoolplan.models import Membership, Role
from schoolplan.permissions import CLASS_TEAM, can

from ..cap_helpers import CAP_DAY, make_class, make_point, schedule_cap
from ..factories import SchoolYearFactory, member

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(school, school_year, other_school):
    teacher = member(Role.SCHOOL_STAFF, school)
    co_leader = member(Role.SCHOOL_STAFF, school)
    school_class = make_class(school, school_year, teacher, co_leaders=[co_leader])
    meeting = schedule_cap(school_class, make_point(school, school_year), teacher)
    note = cap.add_note(meeting.cap, user=teacher, kind="pupil", subject="JD", note="Reading lag")
    group_note = cap.add_note(
        meeting.cap, user=teacher, kind="group", subject="Set 2", note="The three boys in set 2"
    )
    SchoolYearFactory(district=other_school.district)
    return {
        "school": school,
        "other_school": other_school,
        "class": school_class,
        "meeting": meeting,
        "note": note,
        "group_note": group_note,
        "teacher": teacher,
        "co_leader": co_leader,
    }


def person(who, world):
    school, district = world["school"], world["school"].district
    return {
        "class teacher": lambda: world["teacher"],
        "co-leader": lambda: world["co_leader"],
        "principal": lambda: member(Role.PRINCIPAL, school),
        "teacher of another class": lambda: member(Role.SCHOOL_STAFF, school),
        "district staff": lambda: member(Role.DISTRICT_STAFF, district),
        "CIM lead": lambda: member(Role.CIM_LEAD, district),
        "TA provider": lambda: member(Role.TA_PROVIDER, district),
        "cadre member": lambda: member(Role.CADRE_MEMBER, school),
        "principal of another school": lambda: member(Role.PRINCIPAL, world["other_school"]),
        "family (anonymous)": lambda: AnonymousUser(),
    }[who]()


SEES_PUPIL_NOTES = {
    "class teacher": True,
    "co-leader": True,
    "principal": True,
    "teacher of another class": False,
    "district staff": False,
    "CIM lead": False,
    "TA provider": False,
    "cadre member": False,
    "principal of another school": False,
    "family (anonymous)": False,
}


# What each kind of note says, and its model: the same rule for both.
NOTES = {"pupil": ("note", PupilNote, "Reading lag"), "group": ("group_note", GroupNote, "set 2")}


@pytest.mark.parametrize("kind", NOTES)
@pytest.mark.parametrize(("who", "sees"), SEES_PUPIL_NOTES.items())
def test_note_visibility(world, who, sees, kind):
    key, model, _ = NOTES[kind]
    user = person(who, world)
    assert list(cap.notes_visible_to(user, model.objects.all())) == ([world[key]] if sees else [])
    assert can(user, CLASS_TEAM, world[key]) is sees


@pytest.mark.parametrize("kind", NOTES)
@pytest.mark.parametrize(("who", "sees"), SEES_PUPIL_NOTES.items())
def test_notes_on_the_meeting_page_and_the_class_record(client, world, who, sees, kind):
    _, _, text = NOTES[kind]
    user = person(who, world)
    if user.is_authenticated:
        client.force_login(user)
    response = client.get(world["meeting"].get_absolute_url())
    content = response.content.decode()
    assert (text in content) is sees
    assert (text in client.get(world["class"].get_absolute_url()).content.decode()) is sees


def test_those_who_may_not_see_the_notes_are_told_why(client, world):
    client.force_login(person("teacher of another class", world))
    content = client.get(world["meeting"].get_absolute_url()).content.decode()
    assert "Notes on groups and individual pupils can identify children" in content
    assert "Set 2" not in content


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("teacher of another class", 200),
        ("district staff", 200),
        ("cadre member", 404),
        ("CIM lead", 404),
        ("TA provider", 404),
        ("principal of another school", 404),
    ],
)
def test_who_reaches_the_cap_meeting_page(client, world, who, status):
    client.force_login(person(who, world))
    assert client.get(world["meeting"].get_absolute_url()).status_code == status


def test_teacher_who_leaves_the_school_loses_access(world):
    teacher = world["teacher"]
    Membership.objects.filter(user=teacher, school=world["school"]).delete()
    teacher = type(teacher).objects.get(pk=teacher.pk)  # a new request
    assert not cap.notes_visible_to(teacher, PupilNote.objects.all()).exists()
    assert not cap.notes_visible_to(teacher, GroupNote.objects.all()).exists()


def test_teacher_of_another_class_cannot_write_notes_or_analysis(client, world):
    client.force_login(person("teacher of another class", world))
    meeting = world["meeting"]
    response = client.post(
        reverse("note_add", args=[meeting.pk]),
        {"note-kind": "pupil", "note-subject": "AB", "note-note": "x"},
    )
    assert response.status_code == 403
    assert client.get(reverse("analysis_edit", args=[meeting.pk])).status_code == 403
    response = client.post(
        reverse("note_add", args=[meeting.pk]),
        {"note-kind": "group", "note-subject": "Set 3", "note-note": "x"},
    )
    assert response.status_code == 403
    assert meeting.cap.pupil_notes.count() == 1
    assert meeting.cap.group_notes.count() == 1


def test_assessment_file_only_for_the_team(client, world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    meeting, teacher = world["meeting"], world["teacher"]
    upload = SimpleUploadedFile("scores.csv", b"pupil,score\nJD,41\nAB,77\n", "text/csv")
    cap.save_analysis(
        meeting.cap, user=teacher, strengths="s", areas_of_focus="f", assessment_file=upload
    )
    url = reverse("analysis_file", args=[meeting.pk])
    client.force_login(teacher)
    response = client.get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"pupil,score\nJD,41\nAB,77\n"
    page = client.get(meeting.get_absolute_url()).content.decode()
    assert "<td>JD</td>" in page  # the CSV preview
    client.force_login(person("teacher of another class", world))
    assert client.get(url).status_code == 404
    assert "<td>JD</td>" not in client.get(meeting.get_absolute_url()).content.decode()


def test_bad_csv_is_refused_and_nothing_saved(world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    meeting = world["meeting"]
    upload = SimpleUploadedFile("scores.csv", "pupil,score\n".encode("utf-16"), "text/csv")
    with pytest.raises(Exception, match="could not be read"):
        cap.save_analysis(
            meeting.cap,
            user=world["teacher"],
            strengths="s",
            areas_of_focus="f",
            assessment_file=upload,
        )
    meeting.cap.refresh_from_db()
    assert (meeting.cap.strengths, meeting.cap.assessment_file.name) == ("", "")


def test_cap_meetings_stay_out_of_the_public_feed(client, world):
    school = world["school"]
    feed = create_feed(school, member(Role.PRINCIPAL, school))
    content = client.get(reverse("calendar_feed", args=[feed.token])).content.decode()
    assert "CAP 3B" not in content
    assert world["meeting"].local_date == CAP_DAY
