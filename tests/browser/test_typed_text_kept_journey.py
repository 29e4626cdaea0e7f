"""Nothing typed is ever lost (issue 18), in the browser: on each kind of page a person types a
paragraph, is refused, and finds the paragraph still in its box with the reason beside it.

The plan item's edit conflict is two people in two browsers; the other refusals are a rule the
page's own data breaks, or something someone else did meanwhile (done here through the ORM)."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from meetings import recording as meeting_recording
from meetings.models import ActionReview
from plans import workflow
from plans.models import EssaPlanStatus, Strategy
from schoolplan.models import Role

from ..clock import on
from ..factories import member
from ..schoolplan.test_typed_text_kept import LINE, PARAGRAPH, TODAY, build_world
from .conftest import log_in
from .test_accessibility import AXE, Audit

pytestmark = [
    pytest.mark.browser,
    pytest.mark.calendar,
    pytest.mark.django_db(transaction=True),
]

PASSWORD = "typed-text-kept-18"


def assert_axe_clean(page, where):
    """The refused state itself passes axe (the crawl reaches most pages only empty)."""
    audit = Audit(AXE.read_text())
    audit.check(page, where, where)
    assert not audit.violations, audit.report()


@pytest.fixture
def world(school, school_year, clock):
    return build_world(school, school_year, clock)


def _can_log_in(*users):
    for user in users:
        user.set_password(PASSWORD)
        user.save()


@pytest.fixture
def second_page(chromium, live_server, clock):
    """Another person's browser, beside the `page` fixture's."""
    context = chromium.new_context(
        base_url=live_server.url, viewport={"width": 1280, "height": 900}
    )
    clock.follow(context)
    other = context.new_page()
    other.set_default_timeout(10_000)
    yield other
    context.close()


def test_plan_item_saved_over_someone_elses_keeps_yours_and_shows_theirs(
    page, second_page, screenshot, world, clock
):
    world["colleague_lead"] = mei = _colleague_lead_without_saving(world)
    lead = world["lead"]
    lead.first_name, lead.last_name = "Omar", "Haddad"
    _can_log_in(lead, mei)
    clock.set(TODAY, tick=True)
    strategy = Strategy.objects.get(plan=world["cim_plan"])
    url = reverse(
        "doc_item_edit",
        kwargs={
            "doc": "cim/plans",
            "pk": world["cim_plan"].pk,
            "kind": "strategy",
            "item_pk": strategy.pk,
        },
    )
    # Both open the strategy; Mei saves first.
    log_in(page, lead.username, PASSWORD)
    page.goto(url)
    log_in(second_page, mei.username, PASSWORD)
    second_page.goto(url)
    second_page.get_by_label("Description").fill("Theirs: co-teaching in every grade.")
    second_page.get_by_role("button", name="Save").click()
    expect(second_page.get_by_text("Saved.")).to_be_visible()

    page.get_by_label("Description").fill(PARAGRAPH)
    page.get_by_role("button", name="Save").click()
    expect(
        page.get_by_role("alert").filter(has_text="Someone else saved this first")
    ).to_be_visible()
    box = page.get_by_label("Description")
    expect(box).to_have_value(PARAGRAPH)
    expect(box).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#id_description_error")).to_contain_text("Not saved: Mei Chen saved this")
    expect(page.locator(".theirs")).to_contain_text("Their version (Mei Chen,")
    expect(page.locator(".theirs")).to_contain_text("Theirs: co-teaching in every grade.")
    screenshot(page, "g18-plan-item-conflict")
    assert_axe_clean(page, "g18-plan-item-conflict")

    # Having seen theirs, the lead keeps their own.
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Saved.")).to_be_visible()
    strategy.refresh_from_db()
    assert strategy.description.replace("\r\n", "\n") == PARAGRAPH


def _colleague_lead_without_saving(w):
    """The CIM team member who saves first in the browser (not through the ORM)."""
    mei = member(Role.CIM_MEMBER, w["district"])
    mei.first_name, mei.last_name = "Mei", "Chen"
    mei.save()
    return mei


def test_essa_comment_kept_when_the_plan_was_decided_meanwhile(page, screenshot, world, clock):
    staff = world["staff"]
    _can_log_in(staff)
    workflow.submit(world["essa"], user=world["principal"])
    clock.set(TODAY, tick=True)
    log_in(page, staff.username, PASSWORD)
    page.goto(world["essa"].get_absolute_url())
    page.get_by_label("Comment for the school").fill(PARAGRAPH)
    # Another district staff member accepts it while this one is still typing.
    workflow.accept(world["essa"], user=member(Role.DISTRICT_STAFF, world["district"]))
    page.get_by_role("button", name="Return for changes").click()
    expect(page.get_by_role("alert").filter(has_text="Only a submitted plan")).to_be_visible()
    expect(page.get_by_label("Your comment (not sent)")).to_have_value(PARAGRAPH)
    screenshot(page, "g18-essa-decided-meanwhile")
    assert_axe_clean(page, "g18-essa-decided-meanwhile")
    world["essa"].refresh_from_db()
    assert world["essa"].status == EssaPlanStatus.ACCEPTED


def test_cadre_step_notes_kept_when_the_date_is_in_the_future(page, screenshot, world, clock):
    principal = world["principal"]
    _can_log_in(principal)
    clock.set(TODAY, tick=True)
    log_in(page, principal.username, PASSWORD)
    page.goto(world["cadre"].get_absolute_url())
    step = world["cadre"].steps.order_by("pk").first()
    page.get_by_text(f"Record the date and notes of step {step.number}", exact=True).click()
    page.locator(f"#step-{step.pk}-done_on").fill(on(3, 27).isoformat())
    page.locator(f"#step-{step.pk}-notes").fill(PARAGRAPH)
    page.locator(f"#step-{step.pk}").get_by_role("button", name="Save").click()
    notes = page.locator(f"#step-{step.pk}-notes")
    expect(notes).to_be_visible()
    expect(notes).to_have_value(PARAGRAPH)
    date = page.locator(f"#step-{step.pk}-done_on")
    expect(date).to_have_value(on(3, 27).isoformat())
    expect(date).to_have_attribute("aria-invalid", "true")
    expect(page.locator(f"#step-{step.pk}-done_on_error")).to_have_text(
        "A step cannot be done in the future."
    )
    page.locator(f"#step-{step.pk}").scroll_into_view_if_needed()
    screenshot(page, "g18-cadre-step-refused")
    assert_axe_clean(page, "g18-cadre-step-refused")
    step.refresh_from_db()
    assert (step.done_on, step.notes) == (None, "")


def test_cap_review_kept_when_a_done_action_is_carried_forward(page, screenshot, world, clock):
    teacher = world["teacher"]
    _can_log_in(teacher)
    clock.set(TODAY, tick=True)
    log_in(page, teacher.username, PASSWORD)
    page.goto(world["cap"].get_absolute_url())
    row = page.locator(f"#review-{world['cap_action'].pk}")
    row.get_by_label("Done", exact=True).check()
    row.get_by_label("Impact observed").fill(PARAGRAPH)
    row.get_by_label("Next step").fill(LINE)
    row.get_by_label(
        "Carry it forward: the step agreed becomes a new action of this meeting"
    ).check()
    row.get_by_role("button", name="Save the review").click()
    row = page.locator(f"#review-{world['cap_action'].pk}")
    expect(row.get_by_role("alert")).to_have_text("A done action is not carried forward.")
    expect(row.get_by_label("Impact observed")).to_have_value(PARAGRAPH)
    expect(row.get_by_label("Next step")).to_have_value(LINE)
    expect(row.get_by_label("Done", exact=True)).to_be_checked()
    row.scroll_into_view_if_needed()
    screenshot(page, "g18-cap-review-refused")
    assert_axe_clean(page, "g18-cap-review-refused")
    assert not ActionReview.objects.filter(action_item=world["cap_action"]).exists()


def test_action_item_kept_when_the_minutes_were_published_meanwhile(page, screenshot, world, clock):
    principal = world["principal"]
    _can_log_in(principal)
    clock.set(TODAY, tick=True)
    log_in(page, principal.username, PASSWORD)
    meeting = world["meeting"]
    page.goto(meeting.get_absolute_url())
    page.get_by_label("What").fill(LINE)
    # A colleague publishes the minutes while this one is typing.
    meeting_recording.record_minutes(meeting, user=principal, text="Minutes.", mark_held=True)
    meeting.refresh_from_db()
    meeting_recording.publish_minutes(meeting, user=principal)
    page.get_by_role("button", name="Add action item").click()
    expect(page.get_by_role("alert").filter(has_text="The minutes are published")).to_be_visible()
    expect(page.get_by_label("What")).to_have_value(LINE)
    screenshot(page, "g18-action-item-refused")
    assert_axe_clean(page, "g18-action-item-refused")
    assert meeting.action_items.count() == 1
