import pytest
from django.core.exceptions import ValidationError

from meetings import cap, cap_year, recording, services
from meetings.models import ActionCategory, ActionStatus, ReviewOutcome
from schoolplan.models import Role

from ..cap_helpers import CAP_DAY, analyse, make_class, make_point, schedule_cap
from ..clock import YEAR, moment, on, year_name
from ..factories import member

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


def test_class_teacher_must_be_on_the_schools_staff(school, school_year, other_school):
    outsider = member(Role.SCHOOL_STAFF, other_school)
    with pytest.raises(ValidationError) as error:
        make_class(school, school_year, outsider)
    assert "Not on Valdez Elementary's staff" in error.value.message_dict["teacher"][0]


def test_assessment_point_must_fall_in_the_year(school, school_year):
    with pytest.raises(ValidationError) as error:
        make_point(school, school_year, day=on(7, 15, start_year=YEAR + 1))
    assert error.value.message_dict["date"] == [
        f"The date must fall in the school year {year_name()}."
    ]


def test_fourth_cap_meeting_in_a_year_needs_confirmation(school_class, point, teacher):
    for day in (10, 11, 12):
        schedule_cap(school_class, point, teacher, day=on(11, day))
    with pytest.raises(services.NeedsConfirmation) as error:
        schedule_cap(school_class, point, teacher, day=on(11, 20))
    assert error.value.messages == [
        "This would be CAP meeting number 4 for 3B this school year; CAP meetings are advised "
        "no more than 3 times a year."
    ]
    schedule_cap(school_class, point, teacher, day=on(11, 20), confirmed=True)
    assert cap.cap_meetings_of(school_class).count() == 4


def test_third_meeting_needs_no_confirmation(school_class, point, teacher):
    for day in (10, 11, 12):
        schedule_cap(school_class, point, teacher, day=on(11, day))


def test_meeting_before_its_assessment_point_needs_confirmation(school_class, point, teacher):
    with pytest.raises(services.NeedsConfirmation) as error:
        schedule_cap(school_class, point, teacher, day=on(11, 1))
    assert error.value.messages == [
        f"1 Nov {YEAR} is before the assessment point it follows (Autumn summative, 2 Nov {YEAR}): "
        "the results will not be in yet."
    ]
    assert not cap.cap_meetings_of(school_class).exists()
    schedule_cap(school_class, point, teacher, day=on(11, 1), confirmed=True)


def test_meeting_on_the_assessment_day_is_fine(school_class, point, teacher):
    schedule_cap(school_class, point, teacher, day=on(11, 2))


def test_assessment_point_of_another_school_is_refused(school_class, teacher, other_school):
    from ..factories import SchoolYearFactory

    foreign = make_point(other_school, SchoolYearFactory(district=other_school.district))
    with pytest.raises(ValidationError, match="assessment point of this school"):
        schedule_cap(school_class, foreign, teacher)


@pytest.mark.calendar
def test_cannot_be_held_without_analysis(clock, school_class, point, teacher):
    meeting = schedule_cap(school_class, point, teacher)
    clock.set(moment(CAP_DAY, "17:00"))  # the meeting is over
    with pytest.raises(ValidationError, match="Fill in the class analysis"):
        recording.record_minutes(meeting, user=teacher, text="Met", mark_held=True)
    meeting.refresh_from_db()
    assert meeting.is_planned
    analyse(meeting, teacher)
    recording.record_minutes(meeting, user=teacher, text="Met", mark_held=True)
    meeting.refresh_from_db()
    assert meeting.is_held


@pytest.mark.calendar
def test_analysis_needs_both_strengths_and_focus(clock, school_class, point, teacher):
    meeting = schedule_cap(school_class, point, teacher)
    analyse(meeting, teacher, strengths="Strong readers", focus="  ")
    clock.set(moment(CAP_DAY, "17:00"))
    with pytest.raises(ValidationError, match="Fill in the class analysis"):
        recording.record_minutes(meeting, user=teacher, text="Met", mark_held=True)


def test_review_and_carry_forward(school, school_year, school_class, point, teacher):
    spring = make_point(school, school_year, "Spring summative", on(3, 10))
    first = schedule_cap(school_class, point, teacher)
    done = services.add_action_item(
        first, user=teacher, description="Daily fluency practice", category=ActionCategory.TEACHING
    )
    unfinished = services.add_action_item(
        first, user=teacher, description="Reteach fractions", category=ActionCategory.CURRICULUM
    )
    second = schedule_cap(school_class, spring, teacher, day=on(3, 15))
    cap.review_action(
        second, user=teacher, action_item=done, outcome=ReviewOutcome.DONE, impact="+8%"
    )
    cap.review_action(
        second,
        user=teacher,
        action_item=unfinished,
        outcome=ReviewOutcome.PARTLY,
        next_step="Use manipulatives",
        carry_forward=True,
    )
    done.refresh_from_db()
    unfinished.refresh_from_db()
    assert done.status == ActionStatus.DONE
    assert unfinished.status == ActionStatus.CARRIED
    [carried] = second.action_items.all()
    assert carried.carried_from == unfinished
    # The new action is the next step agreed, with the old one's category, owner and research.
    assert (carried.description, carried.category) == ("Use manipulatives", "curriculum")
    assert unfinished.description == "Reteach fractions"
    assert carried.status == ActionStatus.OPEN
    assert "Carried forward to" in unfinished.updates.last().note
    # Reviewing again does not carry it twice.
    cap.review_action(
        second,
        user=teacher,
        action_item=unfinished,
        outcome=ReviewOutcome.NOT_DONE,
        carry_forward=True,
    )
    assert second.action_items.count() == 1
    assert second.action_reviews.get(action_item=unfinished).outcome == ReviewOutcome.NOT_DONE


@pytest.fixture
def reviewed_in_spring(school, school_year, school_class, point, teacher):
    """An autumn CAP meeting's action, to review at the spring meeting."""
    first = schedule_cap(school_class, point, teacher)
    item = services.add_action_item(
        first,
        user=teacher,
        description="Reteach fractions",
        owner=teacher,
        category=ActionCategory.CURRICULUM,
        research_title="EEF: Improving mathematics",
    )
    spring = make_point(school, school_year, "Spring summative", on(3, 10))
    return item, schedule_cap(school_class, spring, teacher, day=on(3, 15))


def test_carried_action_keeps_the_old_ones_owner_category_and_research(reviewed_in_spring, teacher):
    item, second = reviewed_in_spring
    cap.review_action(
        second,
        user=teacher,
        action_item=item,
        outcome=ReviewOutcome.NOT_DONE,
        next_step="  Fraction walls in every lesson  ",
        carry_forward=True,
    )
    carried = second.action_items.get()
    assert (carried.description, carried.owner, carried.category, carried.research_title) == (
        "Fraction walls in every lesson",
        teacher,
        ActionCategory.CURRICULUM,
        "EEF: Improving mathematics",
    )
    assert carried.carried_from == item
    assert second.action_reviews.get().next_step == "Fraction walls in every lesson"


@pytest.mark.parametrize("next_step", ["", "   \n "])
def test_carrying_forward_needs_an_agreed_next_step(reviewed_in_spring, teacher, next_step):
    """issue 23: with no next step agreed there is nothing to carry: the review is refused, beside
    the next step, and nothing is saved (no review, no new action, the old one still open)."""
    item, second = reviewed_in_spring
    with pytest.raises(ValidationError) as error:
        cap.review_action(
            second,
            user=teacher,
            action_item=item,
            outcome=ReviewOutcome.PARTLY,
            impact="Half the class",
            next_step=next_step,
            carry_forward=True,
        )
    assert error.value.message_dict == {
        "next_step": [
            "Agree the next step to carry this action forward: it becomes the new action."
        ]
    }
    item.refresh_from_db()
    assert item.status == ActionStatus.OPEN
    assert not second.action_items.exists()
    assert not second.action_reviews.exists()


def test_without_carrying_forward_no_next_step_is_needed(reviewed_in_spring, teacher):
    item, second = reviewed_in_spring
    cap.review_action(second, user=teacher, action_item=item, outcome=ReviewOutcome.NOT_DONE)
    item.refresh_from_db()
    assert item.status == ActionStatus.OPEN
    assert not second.action_items.exists()


def test_a_next_step_too_long_for_an_action_is_refused(reviewed_in_spring, teacher):
    item, second = reviewed_in_spring
    with pytest.raises(ValidationError) as error:
        cap.review_action(
            second,
            user=teacher,
            action_item=item,
            outcome=ReviewOutcome.PARTLY,
            next_step="x" * 501,
            carry_forward=True,
        )
    assert error.value.message_dict["next_step"] == [
        "A next step carried forward becomes an action of 500 characters at most; this one has 501."
    ]
    assert not second.action_items.exists() and not second.action_reviews.exists()


def test_outcome_badges_differ_by_symbol_and_colour(
    client, school, school_year, school_class, point, teacher
):
    """issue 23: done, partly done and not done are told apart without colour too."""
    spring = make_point(school, school_year, "Spring summative", on(3, 10))
    first = schedule_cap(school_class, point, teacher)
    items = [
        services.add_action_item(
            first, user=teacher, description=f"Action {n}", category="teaching"
        )
        for n in range(3)
    ]
    second = schedule_cap(school_class, spring, teacher, day=on(3, 15))
    for item, outcome in zip(items, ReviewOutcome, strict=True):
        cap.review_action(second, user=teacher, action_item=item, outcome=outcome)
    client.force_login(teacher)
    page = client.get(second.get_absolute_url()).content.decode()
    for colour, symbol, label in (
        ("success", "✓", "Done"),
        ("warning", "◐", "Partly done"),
        ("danger", "✗", "Not done"),
    ):
        assert f'text-bg-{colour}"><span aria-hidden="true">{symbol}</span> {label}</span>' in page


def test_a_done_action_is_not_carried_forward(school, school_year, school_class, point, teacher):
    first = schedule_cap(school_class, point, teacher)
    item = services.add_action_item(first, user=teacher, description="x", category="teaching")
    second = schedule_cap(school_class, point, teacher, day=on(11, 20))
    with pytest.raises(ValidationError, match="not carried forward"):
        cap.review_action(
            second, user=teacher, action_item=item, outcome=ReviewOutcome.DONE, carry_forward=True
        )


def test_only_the_previous_meetings_actions_are_reviewed(school_class, point, teacher):
    first = schedule_cap(school_class, point, teacher, day=on(11, 10))
    old = services.add_action_item(first, user=teacher, description="old", category="teaching")
    second = schedule_cap(school_class, point, teacher, day=on(11, 17))
    third = schedule_cap(school_class, point, teacher, day=on(11, 24))
    assert cap.previous_cap_meeting(third) == second
    with pytest.raises(ValidationError, match="previous CAP meeting"):
        cap.review_action(third, user=teacher, action_item=old, outcome=ReviewOutcome.DONE)


def test_category_balance_nudges_towards_teaching_and_curriculum(school_class, point, teacher):
    meeting = schedule_cap(school_class, point, teacher)
    for category in ("ta_support", "parental", "parental", "teaching"):
        services.add_action_item(meeting, user=teacher, description=category, category=category)
    balance = cap_year.category_balance(meeting.action_items.all())
    assert balance.total == 4
    assert balance.counts == {"ta_support": 1, "parental": 2, "teaching": 1}
    assert balance.focus_share == 25
    assert balance.nudge.startswith("Only 25% of the agreed actions adapt teaching")
    services.add_action_item(meeting, user=teacher, description="c", category="curriculum")
    services.add_action_item(meeting, user=teacher, description="t", category="teaching")
    balance = cap_year.category_balance(meeting.action_items.all())
    assert balance.focus_share == 50
    assert balance.nudge == ""


def test_leaders_overview(school, school_year, school_class, point, teacher):
    other = make_class(school, school_year, teacher, name="3C")
    meeting = schedule_cap(school_class, point, teacher)
    services.add_action_item(meeting, user=teacher, description="a", category="teaching")
    services.add_action_item(meeting, user=teacher, description="b", category="ta_support")
    latest, rows, balance = cap_year.class_overview(school, school_year, on(11, 22))
    assert latest == point
    states = {row.school_class.name: (row.state, row.open_actions) for row in rows}
    assert states == {
        "3B": ("scheduled", {"teaching": 1, "ta_support": 1}),
        "3C": ("missing", {}),
    }
    assert balance.total == 2
    assert other.cap_meetings.count() == 0


def test_pupil_note_is_initials_not_a_profile(school_class, point, teacher):
    meeting = schedule_cap(school_class, point, teacher)
    with pytest.raises(ValidationError, match="identifier or initials"):
        cap.add_note(
            meeting.cap, user=teacher, kind="pupil", subject="Maria Guadalupe Hernandez", note="x"
        )
    cap.add_note(meeting.cap, user=teacher, kind="pupil", subject="MGH", note="Needs phonics")
