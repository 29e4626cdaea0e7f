import pytest
from django.urls import reverse

from meetings import cap, services
from meetings.models import ActionItem, SchoolClass
from schoolplan.models import Role

from ..cap_helpers import CAP_DAY, analyse, make_class, make_point, schedule_cap
from ..clock import YEAR, moment, on, year_name
from ..factories import member
from ..meeting_helpers import schedule

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def planned_in_october(clock):
    """The class's CAP meetings are planned on 1 October, before any of them takes place."""
    clock.set(on(10, 1))


@pytest.fixture
def teacher(school):
    return member(Role.SCHOOL_STAFF, school)


@pytest.fixture
def school_class(school, school_year, teacher):
    return make_class(school, school_year, teacher)


@pytest.fixture
def point(school, school_year):
    return make_point(school, school_year)


def cap_form(point, day=CAP_DAY, **extra):
    return {
        "assessment_point": point.pk,
        "date": day.isoformat(),
        "start_time": "15:30",
        "end_time": "16:30",
        "place": "Room 12",
        **extra,
    }


def test_principal_adds_classes_and_points(client, school, school_year, teacher):
    client.force_login(member(Role.PRINCIPAL, school))
    url = reverse("cap_overview", args=[school.pk])
    response = client.post(
        url,
        {
            "add_class": "",
            "class-name": "4A",
            "class-grade": "Grade 4",
            "class-teacher": teacher.pk,
        },
    )
    assert response.status_code == 302
    assert SchoolClass.objects.get().teacher == teacher
    client.post(url, {"add_point": "", "point-name": "Spring", "point-date": on(3, 10).isoformat()})
    assert school.assessment_points.get().name == "Spring"
    response = client.post(
        url,
        {
            "add_point": "",
            "point-name": "Summer",
            "point-date": on(8, 10, start_year=YEAR + 1).isoformat(),
        },
    )
    assert f"The date must fall in the school year {year_name()}." in response.content.decode()


def test_teacher_cannot_add_classes(client, school, school_year, teacher):
    client.force_login(teacher)
    url = reverse("cap_overview", args=[school.pk])
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        {"add_class": "", "class-name": "4A", "class-grade": "4", "class-teacher": teacher.pk},
    )
    assert response.status_code == 403
    assert not SchoolClass.objects.exists()


@pytest.mark.parametrize("role", [Role.CADRE_MEMBER, Role.CIM_LEAD])
def test_cap_overview_is_for_school_staff(client, school, school_year, role):
    scope = school if role == Role.CADRE_MEMBER else school.district
    client.force_login(member(role, scope))
    assert client.get(reverse("cap_overview", args=[school.pk])).status_code in (403, 404)


def test_schedule_with_warning_and_confirmation(client, school_class, point, teacher):
    client.force_login(teacher)
    url = reverse("schedule_cap", args=[school_class.pk])
    response = client.post(url, cap_form(point, day=on(10, 30)))
    page = response.content.decode()
    assert "is before the assessment point it follows" in page
    assert 'name="confirmed"' in page
    assert not school_class.cap_meetings.exists()
    response = client.post(url, cap_form(point, day=on(10, 30), confirmed="on"))
    assert response.status_code == 302
    assert school_class.cap_meetings.count() == 1


def test_other_teacher_cannot_schedule_for_the_class(client, school, school_class, point):
    client.force_login(member(Role.SCHOOL_STAFF, school))
    assert (
        client.post(reverse("schedule_cap", args=[school_class.pk]), cap_form(point)).status_code
        == 403
    )


def test_other_school_gets_404_on_class_pages(client, school_class, point, other_school):
    client.force_login(member(Role.PRINCIPAL, other_school))
    for name in ("class_record", "schedule_cap"):
        assert client.get(reverse(name, args=[school_class.pk])).status_code == 404


@pytest.mark.calendar
def test_marking_held_without_analysis_shows_the_rule(client, clock, school_class, point, teacher):
    meeting = schedule_cap(school_class, point, teacher)
    clock.set(moment(CAP_DAY, "17:00"))  # the meeting is over
    client.force_login(teacher)
    response = client.post(
        reverse("minutes_edit", args=[meeting.pk]),
        {"text": "Met", "family_attendees": 0, "community_attendees": 0, "mark_held": "on"},
    )
    assert "Fill in the class analysis" in response.content.decode()
    meeting.refresh_from_db()
    assert meeting.is_planned


def test_cap_action_needs_a_category(client, school_class, point, teacher):
    meeting = schedule_cap(school_class, point, teacher)
    client.force_login(teacher)
    url = reverse("action_add", args=[meeting.pk])
    client.post(url, {"action-description": "Small-group fractions"})
    assert not ActionItem.objects.exists()
    client.post(
        url,
        {
            "action-description": "Small-group fractions",
            "action-category": "teaching",
            "action-research_title": "EEF: Improving mathematics in KS2",
            "action-research_url": "eef.example.org/maths",
        },
    )
    item = ActionItem.objects.get()
    assert (item.category, item.research_url) == ("teaching", "https://eef.example.org/maths")


def test_review_and_carry_forward_through_the_page(
    client, school, school_year, school_class, point, teacher
):
    first = schedule_cap(school_class, point, teacher)
    item = services.add_action_item(
        first, user=teacher, description="Reteach fractions", category="curriculum"
    )
    spring = make_point(school, school_year, "Spring", on(3, 10))
    second = schedule_cap(school_class, spring, teacher, day=on(3, 15))
    client.force_login(teacher)
    page = client.get(second.get_absolute_url()).content.decode()
    assert "Reteach fractions" in page and "Review of the actions agreed last time" in page
    response = client.post(
        reverse("review_add", args=[second.pk, item.pk]),
        {
            f"review-{item.pk}-outcome": "not_done",
            f"review-{item.pk}-impact": "",
            f"review-{item.pk}-next_step": "Try again with manipulatives",
            f"review-{item.pk}-carry_forward": "on",
        },
    )
    assert response.status_code == 302
    carried = second.action_items.get()
    assert carried.carried_from == item
    assert carried.description == "Try again with manipulatives"
    page = client.get(second.get_absolute_url()).content.decode()
    assert "where it was “Reteach fractions”" in page  # the link to the old action, and its text
    record = client.get(reverse("class_record", args=[school_class.pk])).content.decode()
    assert "carried from" in record


def test_carrying_forward_with_no_next_step_is_refused_beside_it(
    client, school, school_year, school_class, point, teacher
):
    first = schedule_cap(school_class, point, teacher)
    item = services.add_action_item(
        first, user=teacher, description="Reteach fractions", category="curriculum"
    )
    second = schedule_cap(
        school_class, make_point(school, school_year, "Spring", on(3, 10)), teacher, day=on(3, 15)
    )
    client.force_login(teacher)
    response = client.post(
        reverse("review_add", args=[second.pk, item.pk]),
        {
            f"review-{item.pk}-outcome": "partly",
            f"review-{item.pk}-impact": "Half the class <caught up>",
            f"review-{item.pk}-next_step": "",
            f"review-{item.pk}-carry_forward": "on",
        },
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert f'id="id_review-{item.pk}-next_step_error"' in page
    assert "Agree the next step to carry this action forward" in page
    assert "Half the class &lt;caught up&gt;" in page  # what was typed comes back
    assert not second.action_items.exists() and not second.action_reviews.exists()


def test_cap_page_follows_the_seeds_order(
    client, school, school_year, school_class, point, teacher
):
    """seed 003: each meeting starts by reviewing the previous meeting's actions; then the
    analysis, the groups and pupils, and the actions agreed for the next period."""
    first = schedule_cap(school_class, point, teacher)
    services.add_action_item(
        first, user=teacher, description="Reteach fractions", category="teaching"
    )
    second = schedule_cap(
        school_class, make_point(school, school_year, "Spring", on(3, 10)), teacher, day=on(3, 15)
    )
    analyse(second, teacher)
    client.force_login(teacher)
    page = client.get(second.get_absolute_url()).content.decode()
    order = [
        'id="review"',
        'id="analysis"',
        'id="notes"',
        'id="actions"',
        'id="minutes-h"',
        'id="when"',
        'id="agenda"',
    ]
    positions = [page.index(anchor) for anchor in order]
    assert positions == sorted(positions)
    # Its agenda says the same.
    agenda = [item.title for item in second.agenda_items.all()]
    assert agenda[0].startswith("Review of the actions agreed last time")
    assert agenda[1].startswith("The class analysis")


def test_class_record_follows_the_seeds_order(
    client, school, school_year, school_class, point, teacher
):
    """The class's shared record tells each meeting in the same order as its page: the review,
    the analysis, groups and pupils, then the actions agreed."""
    first = schedule_cap(school_class, point, teacher)
    item = services.add_action_item(
        first, user=teacher, description="Reteach fractions", category="teaching"
    )
    spring = make_point(school, school_year, "Spring", on(3, 10))
    second = schedule_cap(school_class, spring, teacher, day=on(3, 15))
    cap.review_action(
        second,
        user=teacher,
        action_item=item,
        outcome="partly",
        next_step="Fraction walls",
        carry_forward=True,
    )
    analyse(second, teacher, strengths="Strong readers")
    cap.add_note(second.cap, user=teacher, kind="group", subject="Set 2", note="Needs models")
    client.force_login(teacher)
    page = client.get(reverse("class_record", args=[school_class.pk])).content.decode()
    page = page[page.index(f'id="cap-{second.cap.pk}"') :]
    anchors = [
        "Review of the actions agreed last time",
        "Strong readers",
        "Set 2",
        "Agreed actions",
    ]
    positions = [page.index(anchor) for anchor in anchors]
    assert positions == sorted(positions)
    assert "next step: Fraction walls" in page


def test_other_meetings_keep_their_order(client, school, school_year, teacher):
    """Only a CAP meeting opens with its review: a CPM meeting still opens with when and where."""
    meeting = schedule(school, member(Role.PRINCIPAL, school), day=on(11, 10))
    client.force_login(teacher)
    page = client.get(meeting.get_absolute_url()).content.decode()
    assert 'id="review"' not in page
    assert page.index('id="when"') < page.index('id="minutes-h"') < page.index('id="actions"')


def test_class_record_and_overview_queries_do_not_grow(
    client, school, school_year, teacher, django_assert_max_num_queries
):
    point = make_point(school, school_year)
    client.force_login(member(Role.PRINCIPAL, school))

    def add_class(n):
        school_class = make_class(school, school_year, teacher, name=f"C{n}")
        meeting = schedule_cap(school_class, point, teacher)
        analyse(meeting, teacher)
        services.add_action_item(meeting, user=teacher, description="a", category="teaching")
        return school_class

    first = add_class(0)
    overview = reverse("cap_overview", args=[school.pk])
    with django_assert_max_num_queries(20) as few:
        client.get(overview)
    with django_assert_max_num_queries(20) as record_few:
        client.get(reverse("class_record", args=[first.pk]))
    for n in range(1, 6):
        add_class(n)
        extra = schedule_cap(first, point, teacher, day=on(11, 10 + n), confirmed=True)
        analyse(extra, teacher)
        # Each meeting reviews the one before, and notes groups and pupils.
        previous = cap.previous_cap_meeting(extra)
        for item in previous.action_items.all():
            cap.review_action(extra, user=teacher, action_item=item, outcome="done")
        services.add_action_item(extra, user=teacher, description="b", category="curriculum")
        cap.add_note(extra.cap, user=teacher, kind="group", subject="Set 2", note="n")
        cap.add_note(extra.cap, user=teacher, kind="pupil", subject="JD", note="n")
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(overview)
    with django_assert_max_num_queries(len(record_few.captured_queries)):
        client.get(reverse("class_record", args=[first.pk]))


def test_reviewing_another_schools_action_by_id_is_404(
    client, school_class, point, teacher, other_school
):
    from ..factories import SchoolYearFactory

    year = SchoolYearFactory(district=other_school.district)
    foreign_teacher = member(Role.SCHOOL_STAFF, other_school)
    foreign_class = make_class(other_school, year, foreign_teacher, name="9Z")
    foreign_meeting = schedule_cap(foreign_class, make_point(other_school, year), foreign_teacher)
    secret = services.add_action_item(
        foreign_meeting,
        user=foreign_teacher,
        description="Private plan for pupil XY",
        category="other",
    )
    meeting = schedule_cap(school_class, point, teacher)
    client.force_login(teacher)
    response = client.post(
        reverse("review_add", args=[meeting.pk, secret.pk]), {f"review-{secret.pk}-outcome": "done"}
    )
    assert response.status_code == 404
    assert b"Private plan" not in response.content


def test_replacing_the_assessment_file_while_removing_the_old_one(
    client, school_class, point, teacher, settings, tmp_path, django_capture_on_commit_callbacks
):
    """Tick "remove the attached file" and attach a new one: the new one is kept (it was a 500:
    the form had already put the upload on the record, and removing "the old file" closed it)."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.MEDIA_ROOT = tmp_path
    meeting = schedule_cap(school_class, point, teacher)
    client.force_login(teacher)
    url = reverse("analysis_edit", args=[meeting.pk])
    form = {"strengths": "Readers", "areas_of_focus": "Fractions"}
    first = SimpleUploadedFile("first.csv", b"pupil,score\nJD,12\n")
    assert client.post(url, {**form, "assessment_file": first}).status_code == 302
    old_name = meeting.cap.__class__.objects.get(pk=meeting.cap.pk).assessment_file.name
    second = SimpleUploadedFile("second.csv", b"pupil,score\nAB,14\n")
    with django_capture_on_commit_callbacks(execute=True):  # the old file goes on commit
        response = client.post(url, {**form, "clear_file": "on", "assessment_file": second})
    assert response.status_code == 302
    record = meeting.cap.__class__.objects.get(pk=meeting.cap.pk)
    assert record.assessment_file.name.rsplit("/", 1)[-1].startswith("second")
    assert record.assessment_file.read() == b"pupil,score\nAB,14\n"
    assert not (tmp_path / old_name).exists()
