"""A CAP cycle: analysis, meeting, a group note, two actions, the next meeting reviewing them
(its page in seed 003's order) and carrying one forward as its agreed next step."""

from io import StringIO

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from meetings import cap
from meetings.models import ActionItem, ActionStatus, Meeting
from schoolplan.models import School, SchoolYear, User

from ..clock import YEAR, on
from .conftest import log_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.calendar,
    pytest.mark.django_db(transaction=True),
]


def test_cap_cycle(page, screenshot, clock):
    # Late March: both assessment points and both CAP meetings of the journey have passed, so
    # each can be recorded as held (the server's clock and the page's).
    clock.set(on(3, 20), tick=True)
    call_command("demo_data", stdout=StringIO())
    school = School.objects.get(name="Valdez Elementary")
    year = SchoolYear.objects.get(district=school.district, start_year=YEAR)
    start = year.start_year
    teacher = User.objects.get(username="teacher")
    cap.create_class(school=school, year=year, name="4A", grade="Grade 4", teacher=teacher)
    cap.create_assessment_point(
        school=school, year=year, name="Autumn check", date=year.starts_on.replace(month=11, day=2)
    )
    cap.create_assessment_point(
        school=school, year=year, name="Spring check", date=year.ends_on.replace(month=3, day=10)
    )

    log_in(page, "teacher", "schoolplan-demo")
    page.get_by_role("link", name="Valdez Elementary").first.click()
    page.get_by_role("link", name="CAP meetings").click()
    page.get_by_role("link", name="4A").click()
    page.get_by_role("link", name="Schedule a CAP meeting").click()
    page.get_by_label("After which assessment point").select_option(
        label=f"Autumn check (2 Nov {start})"
    )
    page.get_by_label("Date").fill(f"{start}-11-05")
    page.get_by_label("Place").fill("Room 4")
    page.get_by_role("button", name="Schedule CAP meeting").click()
    expect(page.get_by_text("Fill in the analysis first")).to_be_visible()

    page.get_by_role("link", name="Fill in the analysis").click()
    page.get_by_label("Strengths").fill("Strong decoding; most pupils read fluently.")
    page.get_by_label("Areas of focus for the next period").fill("Multi-step word problems.")
    page.get_by_role("button", name="Save analysis").click()
    expect(page.get_by_text("Multi-step word problems.")).to_be_visible()

    page.get_by_label("A group").check()
    page.get_by_label("Group name, or pupil identifier / initials").fill("Set 2")
    page.get_by_label("Note", exact=True).fill("The three boys in set 2 need bar models first.")
    page.get_by_role("button", name="Add note").click()
    expect(page.get_by_text("The three boys in set 2 need bar models first.")).to_be_visible()

    for what, category in (
        ("Model bar diagrams in every maths lesson", "Teaching approach"),
        ("Pre-teach vocabulary for word problems", "Curriculum adaptation"),
    ):
        page.get_by_label("What").fill(what)
        page.get_by_label("Category").select_option(label=category)
        page.get_by_role("button", name="Add action item").click()
        expect(page.get_by_text("Action item added.")).to_be_visible()
    expect(page.get_by_text("100% adapt teaching or the curriculum.")).to_be_visible()
    screenshot(page, "20-cap-first-meeting")

    # The next meeting, after the spring assessment, opens with the review.
    page.get_by_role("link", name="4A").first.click()
    page.get_by_role("link", name="Schedule a CAP meeting").click()
    page.get_by_label("After which assessment point").select_option(
        label=f"Spring check (10 Mar {start + 1})"
    )
    page.get_by_label("Date").fill(f"{start + 1}-03-15")
    page.get_by_label("Place").fill("Room 4")
    page.get_by_role("button", name="Schedule CAP meeting").click()
    expect(
        page.get_by_role("heading", name="Review of the actions agreed last time")
    ).to_be_visible()
    # seed 003: the page opens with the review, then the analysis, groups and pupils, actions.
    headings = page.locator("h2").all_inner_texts()
    order = [
        "Review of the actions agreed last time",
        "Pre-meeting analysis",
        "Groups and pupils",
        "Agreed actions",
        "Minutes",
        "When and where",
    ]
    found = [next(i for i, h in enumerate(headings) if h.startswith(name)) for name in order]
    assert found == sorted(found), headings
    screenshot(page, "21-cap-second-meeting-opens-with-the-review")

    first = page.locator(".border.rounded", has_text="Model bar diagrams")
    first.get_by_label("Done", exact=True).check()
    first.get_by_label("Impact observed").fill("Word-problem scores up 12 points")
    first.get_by_role("button", name="Save the review").click()
    expect(page.get_by_text("reviewed.")).to_be_visible()

    second = page.locator(".border.rounded", has_text="Pre-teach vocabulary")
    second.get_by_label("Partly done").check()
    second.get_by_label("Next step").fill("Add a weekly vocabulary quiz")
    second.get_by_label("Carry it forward").check()
    second.get_by_role("button", name="Save the review").click()
    # The carried action is the next step agreed, linked to the old one.
    carried_row = page.locator("#action-list li", has_text="Add a weekly vocabulary quiz")
    expect(carried_row.get_by_text("Carried forward from")).to_be_visible()
    expect(carried_row).to_contain_text("where it was “Pre-teach vocabulary for word problems”")
    screenshot(page, "21-cap-review-and-carry-forward")

    carried = ActionItem.objects.get(
        carried_from__isnull=False, meeting__cap__school_class__name="4A"
    )
    assert carried.description == "Add a weekly vocabulary quiz"
    assert carried.carried_from.description == "Pre-teach vocabulary for word problems"
    assert carried.carried_from.status == ActionStatus.CARRIED
    page.get_by_role("link", name="4A").first.click()
    expect(page.get_by_text("carried from")).to_be_visible()
    screenshot(page, "22-class-record")

    # The demo's 3B: its spring meeting opened with the review of the autumn actions, and carried
    # one forward as its next step.
    spring = Meeting.objects.get(
        cap__school_class__name="3B", cap__assessment_point__name="Spring summative"
    )
    page.goto(spring.get_absolute_url())
    expect(page.get_by_text("where it was “Add bar-model word problems")).to_be_visible()
    screenshot(page, "23-demo-3b-spring-meeting")
