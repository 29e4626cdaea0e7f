"""Nothing typed is ever lost (issue 18): every form that refuses a save shows back exactly what
was posted, with the reason beside the box it concerns, and writes nothing.

One table of refusals, each posted through its page: a plan item saved over someone else's newer
version (theirs shown beside the box, with who and when in the district's time), a plan item
with a wrong date, the district's decision on an ESSA plan, a cadre step, a meeting's action
item, action update, goal and agenda, a CAP note and action review, the SPF family summary, and
the two-factor code."""

import re
from dataclasses import dataclass, field
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils.html import escape
from django_otp.plugins.otp_totp.models import TOTPDevice

from meetings import recording as meeting_recording
from meetings import services as meeting_services
from meetings.models import ActionItem, ActionReview, AgendaItem, Goal, GroupNote, PupilNote
from plans import cadre as cadre_services
from plans import services as plan_services
from plans import workflow
from plans.models import ActionStep, Strategy
from progress.models import SpfSummary
from schoolplan import clock as district_clock
from schoolplan.models import EssaDesignation, Role

from ..cap_helpers import make_class, make_point, schedule_cap
from ..cim_helpers import make_plan
from ..clock import on
from ..factories import member
from ..meeting_helpers import schedule
from ..school_plan_helpers import complete_plan

pytestmark = pytest.mark.django_db

# A paragraph as people type it: several lines, accents, curly quotes, an emoji, markup.
PARAGRAPH = (
    "Première ligne — les élèves de 3ᵉ “lisent” mieux.\n"
    "Second line: <b>not bold</b> & 100% “quoted”; 日本語も 🌱.\n"
    "\n"
    "Last line, after a blank one."
)
# For one-line boxes (an <input>), the same without line breaks.
LINE = "Nouvelle étape — “lire” chaque jour 🌱 & <i>noter</i>"
# The day the forms are filled in: after the Kick Off, CAP meetings and the cadre's October work.
TODAY = on(3, 20)


@pytest.fixture
def world(school, school_year, clock):
    return build_world(school, school_year, clock)


def build_world(school, school_year, clock):
    """A school with a bit of everything, on TODAY (the browser journeys build the same)."""
    clock.set(on(9, 1))
    school.essa_designation = EssaDesignation.TARGETED
    school.family_languages = ["en", "es"]
    school.save()
    district = school.district
    w = {"school": school, "year": school_year, "district": district}
    w["principal"] = principal = member(Role.PRINCIPAL, school)
    principal.first_name, principal.last_name = "Ana", "Reyes"
    principal.save()
    w["colleague"] = colleague = member(Role.SCHOOL_STAFF, school)
    colleague.first_name, colleague.last_name = "Jun", "Park"
    colleague.save()
    w["staff"] = member(Role.DISTRICT_STAFF, district)
    w["lead"] = member(Role.CIM_LEAD, district)
    w["meeting"] = schedule(school, principal)  # a Kick Off on 15 September
    w["action"] = meeting_services.add_action_item(
        w["meeting"], user=principal, description="Call the families"
    )
    # CAP: a class, its autumn meeting's action, reviewed at the spring meeting.
    w["teacher"] = member(Role.SCHOOL_STAFF, school)
    school_class = make_class(school, school_year, w["teacher"])
    first = schedule_cap(school_class, make_point(school, school_year), w["teacher"])
    w["cap_action"] = meeting_services.add_action_item(
        first, user=w["teacher"], description="Reteach fractions", category="curriculum"
    )
    spring = make_point(school, school_year, "Spring", on(3, 10))
    w["cap"] = schedule_cap(school_class, spring, w["teacher"], day=on(3, 15))
    clock.set(on(10, 1))
    w["cadre"] = cadre_services.start_cadre(school=school, year=school_year, user=principal)
    clock.set(on(3, 1))
    w["essa"] = complete_plan(school, school_year, principal)
    w["cim_plan"], w["activity"], _ = make_plan(district, school_year, w["lead"])
    clock.set(TODAY)
    return w


@dataclass
class Refusal:
    name: str
    user: str
    url: object  # world -> address
    data: object  # world -> the POST
    typed: tuple  # what must come back, verbatim (escaped as HTML escapes it)
    reason: str  # the reason, as the page says it
    unchanged: object  # world -> a value that must be the same before and after
    setup: object = None  # world -> None, before the POST
    also: tuple = field(default_factory=tuple)  # more text the page must show


def _other_saves_strategy(w):
    strategy = Strategy.objects.get(plan=w["cim_plan"])
    w["strategy"] = strategy
    plan_services.update(
        strategy,
        user=w["colleague_lead"],
        expected_version=strategy.version,
        description="Theirs: co-teaching in every grade.\nSecond line of theirs.",
    )


def _colleague_lead(w):
    w["colleague_lead"] = lead = member(Role.CIM_MEMBER, w["district"])
    lead.first_name, lead.last_name = "Mei", "Chen"
    lead.save()
    _other_saves_strategy(w)


def _decided_meanwhile(w):
    workflow.submit(w["essa"], user=w["principal"])
    workflow.accept(w["essa"], user=w["staff"])


def _minutes_published(w):
    meeting_recording.record_minutes(
        w["meeting"], user=w["principal"], text="Minutes.", mark_held=True
    )
    w["meeting"].refresh_from_db()
    meeting_recording.publish_minutes(w["meeting"], user=w["principal"])


def _summary_written(w):
    SpfSummary.objects.create(
        school=w["school"], school_year=w["year"], texts={"en": "Stored summary."}
    )


def _doc_url(doc, plan_key, kind, item=None):
    def url(w):
        kwargs = {"doc": doc, "pk": w[plan_key].pk, "kind": kind}
        if item is None:
            return reverse("doc_item_add", kwargs=kwargs)
        return reverse("doc_item_edit", kwargs={**kwargs, "item_pk": item(w).pk})

    return url


REFUSALS = [
    Refusal(
        "plan item saved over a newer version",
        "lead",
        _doc_url("cim/plans", "cim_plan", "strategy", lambda w: w["strategy"]),
        lambda w: {"title": LINE, "description": PARAGRAPH, "expected_version": 1},
        (LINE, PARAGRAPH),
        "Not saved: Mei Chen saved this at",
        lambda w: Strategy.objects.get(pk=w["strategy"].pk).description,
        setup=_colleague_lead,
        also=("Someone else saved this first", "Theirs: co-teaching in every grade.<br>"),
    ),
    Refusal(
        "plan item with a due date before its start",
        "principal",
        _doc_url("essa", "essa", "step"),
        lambda w: {
            "description": LINE,
            "owner": "Coach “Ñuñez”",
            "starts_on": on(3, 1).isoformat(),
            "due_on": on(1, 1).isoformat(),
            "status": "not_started",
        },
        (LINE, "Coach “Ñuñez”"),
        "The due date cannot come before the start.",
        lambda w: ActionStep.objects.count(),
    ),
    Refusal(
        "ESSA decision without choosing accept or return",
        "staff",
        lambda w: reverse("essa_decide", args=[w["essa"].pk]),
        lambda w: {"comment": PARAGRAPH},
        (PARAGRAPH,),
        "Choose to accept the plan or return it.",
        lambda w: (
            w["essa"].__class__.objects.get(pk=w["essa"].pk).status,
            w["essa"].events.count(),
        ),
        setup=lambda w: workflow.submit(w["essa"], user=w["principal"]),
    ),
    Refusal(
        "ESSA plan returned without a comment",
        "staff",
        lambda w: reverse("essa_decide", args=[w["essa"].pk]),
        lambda w: {"decision": "return", "comment": "  \n "},
        (),
        "Say what needs to change: the school sees this comment.",
        lambda w: w["essa"].__class__.objects.get(pk=w["essa"].pk).status,
        setup=lambda w: workflow.submit(w["essa"], user=w["principal"]),
    ),
    Refusal(
        "ESSA plan decided meanwhile by someone else",
        "staff",
        lambda w: reverse("essa_decide", args=[w["essa"].pk]),
        lambda w: {"decision": "return", "comment": PARAGRAPH},
        (PARAGRAPH,),
        "Only a submitted plan",
        lambda w: (
            w["essa"].__class__.objects.get(pk=w["essa"].pk).status,
            w["essa"].events.count(),
        ),
        setup=_decided_meanwhile,
        also=("Your comment (not sent)",),
    ),
    Refusal(
        "cadre step done in the future",
        "principal",
        lambda w: reverse("cadre_step", args=[w["cadre"].pk, w["cadre"].steps.first().pk]),
        lambda w: {"done_on": (TODAY + timedelta(days=3)).isoformat(), "notes": PARAGRAPH},
        (PARAGRAPH, (TODAY + timedelta(days=3)).isoformat()),
        "A step cannot be done in the future.",
        lambda w: list(w["cadre"].steps.values_list("done_on", "notes")),
    ),
    Refusal(
        "action item with an impossible due date",
        "principal",
        lambda w: reverse("action_add", args=[w["meeting"].pk]),
        lambda w: {"action-description": LINE, "action-due_on": "2027-02-31"},
        (LINE, "2027-02-31"),
        "Enter a valid date.",
        lambda w: ActionItem.objects.count(),
    ),
    Refusal(
        "action dropped without saying why",
        "principal",
        lambda w: reverse("action_update", args=[w["action"].pk]),
        lambda w: {"status": "dropped", "note": "   "},
        ('<option value="dropped" selected>',),
        "Say why the action is dropped.",
        lambda w: (ActionItem.objects.get(pk=w["action"].pk).status, w["action"].updates.count()),
    ),
    Refusal(
        "action update with a status that does not exist",
        "principal",
        lambda w: reverse("action_update", args=[w["action"].pk]),
        lambda w: {"status": "forgotten", "note": LINE},
        (LINE,),
        "Select a valid choice.",
        lambda w: (ActionItem.objects.get(pk=w["action"].pk).status, w["action"].updates.count()),
    ),
    Refusal(
        "goal in an area that does not exist",
        "principal",
        lambda w: reverse("goal_add", args=[w["meeting"].pk]),
        lambda w: {"goal-area": "astrology", "goal-text": LINE},
        (LINE,),
        "Select a valid choice.",
        lambda w: Goal.objects.count(),
    ),
    Refusal(
        "agenda saved after the minutes were published",
        "principal",
        lambda w: reverse("agenda_edit", args=[w["meeting"].pk]),
        lambda w: {
            "agenda_items-TOTAL_FORMS": "1",
            "agenda_items-INITIAL_FORMS": "0",
            "agenda_items-0-title": LINE,
            "agenda_items-0-presenter": "Ana",
            "agenda_items-0-duration_minutes": "10",
            "agenda_items-0-ORDER": "1",
        },
        (LINE,),
        "Not saved: this agenda can no longer be changed",
        lambda w: AgendaItem.objects.count(),
        setup=_minutes_published,
    ),
    Refusal(
        "CAP note naming a pupil at length",
        "teacher",
        lambda w: reverse("note_add", args=[w["cap"].pk]),
        lambda w: {
            "note-kind": "pupil",
            "note-subject": "Maria José Fernández Ortega",
            "note-note": PARAGRAPH,
        },
        (PARAGRAPH, "Maria José Fernández Ortega"),
        "Record a pupil by the school",
        lambda w: (PupilNote.objects.count(), GroupNote.objects.count()),
    ),
    Refusal(
        "CAP review carrying forward a done action",
        "teacher",
        lambda w: reverse("review_add", args=[w["cap"].pk, w["cap_action"].pk]),
        lambda w: {
            f"review-{w['cap_action'].pk}-outcome": "done",
            f"review-{w['cap_action'].pk}-impact": PARAGRAPH,
            f"review-{w['cap_action'].pk}-next_step": LINE,
            f"review-{w['cap_action'].pk}-carry_forward": "on",
        },
        (PARAGRAPH, LINE),
        "A done action is not carried forward.",
        lambda w: (ActionReview.objects.count(), ActionItem.objects.count()),
    ),
    Refusal(
        "CAP review carrying forward with no next step agreed",
        "teacher",
        lambda w: reverse("review_add", args=[w["cap"].pk, w["cap_action"].pk]),
        lambda w: {
            f"review-{w['cap_action'].pk}-outcome": "partly",
            f"review-{w['cap_action'].pk}-impact": PARAGRAPH,
            f"review-{w['cap_action'].pk}-next_step": " ",
            f"review-{w['cap_action'].pk}-carry_forward": "on",
        },
        (PARAGRAPH,),
        "Agree the next step to carry this action forward",
        lambda w: (ActionReview.objects.count(), ActionItem.objects.count()),
    ),
    Refusal(
        "SPF summary published empty",
        "principal",
        lambda w: reverse("spf_school", args=[w["school"].pk]),
        lambda w: {"action": "publish", "text-en": " \n ", "text-es": ""},
        (),
        "Write the summary before publishing it",
        lambda w: list(SpfSummary.objects.values_list("texts", "published_at")),
        setup=_summary_written,
    ),
]


def _textarea_values(page):
    """The text in each <textarea> as a browser reads it (one leading newline dropped)."""
    return [
        re.sub(r"^\r?\n", "", value)
        for value in re.findall(r"<textarea[^>]*>(.*?)</textarea>", page, re.S)
    ]


@pytest.mark.parametrize("refusal", REFUSALS, ids=lambda r: r.name)
def test_a_refused_save_shows_back_what_was_typed_with_the_reason(client, world, refusal):
    if refusal.setup:
        refusal.setup(world)
    before = refusal.unchanged(world)
    client.force_login(world[refusal.user])
    response = client.post(refusal.url(world), refusal.data(world))
    assert response.status_code == 200, "a refusal shows the page again, it does not redirect"
    page = response.content.decode()
    for typed in refusal.typed:
        assert escape(typed) in page or typed in page, f"{typed!r} is not shown back"
        if "\n" in typed:
            assert escape(typed) in _textarea_values(page), "the paragraph is not in its box"
    assert escape(refusal.reason) in page or refusal.reason in page
    for text in refusal.also:
        assert text in page
    assert refusal.unchanged(world) == before, "refused, yet something was written"


@pytest.mark.parametrize("refusal", REFUSALS, ids=lambda r: r.name)
def test_the_reason_is_tied_to_its_box_or_announced(client, world, refusal):
    """Screen readers: a refused box says aria-invalid and points at its reason; a reason about
    no single box is in an alert."""
    if refusal.setup:
        refusal.setup(world)
    client.force_login(world[refusal.user])
    page = client.post(refusal.url(world), refusal.data(world)).content.decode()
    invalid = re.findall(r'aria-invalid="true"[^>]*aria-describedby="([^"]+)"', page)
    pointed = [
        error_id for ids in invalid for error_id in ids.split() if error_id.endswith("_error")
    ]
    beside = any(
        refusal.reason.split("“")[0][:30] in _element_text(page, error_id) for error_id in pointed
    )
    in_alert = any(
        refusal.reason[:30] in alert
        for alert in re.findall(r'role="alert"[^>]*>(.*?)</div>', page, re.S)
    )
    assert beside or in_alert, "the reason is neither beside its box nor announced"


def _element_text(page, element_id):
    match = re.search(rf'id="{re.escape(element_id)}"[^>]*>(.*?)</div>', page, re.S)
    return match.group(1) if match else ""


def test_an_edit_conflict_shows_theirs_beside_the_box_with_who_and_when_in_district_time(
    client, world
):
    _colleague_lead(world)
    change = world["strategy"].__class__.objects.get(pk=world["strategy"].pk)
    saved_at = world["cim_plan"].changes.filter(action="changed").latest("at").at
    client.force_login(world["lead"])
    url = _doc_url("cim/plans", "cim_plan", "strategy", lambda w: w["strategy"])(world)
    response = client.post(
        url, {"title": "Tier 1 literacy", "description": PARAGRAPH, "expected_version": 1}
    )
    page = response.content.decode()
    local = district_clock.local(saved_at, world["district"])
    assert f"Mei Chen, {local:%-d %b %Y, %H:%M}" in page
    # Theirs is under the description box (its help), yours in it; the title was not changed
    # by them, so it carries no conflict.
    description = re.search(r'<textarea name="description".*?</div>\s*</div>', page, re.S).group(0)
    assert escape(PARAGRAPH) in description and "Theirs: co-teaching" in description
    assert 'aria-invalid="true"' in description
    assert 'name="title"' in page and "id_title_error" not in page
    change.refresh_from_db()
    assert change.description.startswith("Theirs")
    # Having seen theirs, saving again replaces it with the person's own.
    assert 'name="expected_version" value="2"' in page
    again = client.post(
        url, {"title": "Tier 1 literacy", "description": PARAGRAPH, "expected_version": 2}
    )
    assert again.status_code == 302
    change.refresh_from_db()
    assert change.description == PARAGRAPH


def test_two_factor_code_refused_beside_the_box_and_nothing_turned_off(client, district):
    from .test_two_factor import code_for, enrolled

    user = member(Role.DISTRICT_STAFF, district)
    device, _ = enrolled(user)
    client.force_login(user)
    client.post(reverse("two_factor_verify"), {"code": code_for(device)})
    response = client.post(reverse("two_factor_off"), {"code": "12345x"})
    page = response.content.decode()
    assert response.status_code == 200
    assert 'value="12345x"' in page and "still on" in page
    assert re.search(r'aria-invalid="true"[^>]*aria-describedby="id_code_error"', page)
    assert TOTPDevice.objects.filter(user=user).exists()


def test_a_refused_page_shows_another_users_form_empty(client, world):
    """Only the refused form carries the typed text: the other action items' boxes are as
    stored, so nothing typed leaks into a box it was not typed in."""
    other = meeting_services.add_action_item(
        world["meeting"], user=world["principal"], description="Print the flyers"
    )
    client.force_login(world["principal"])
    page = client.post(
        reverse("action_update", args=[world["action"].pk]), {"status": "forgotten", "note": LINE}
    ).content.decode()
    assert page.count(escape(LINE)) == 1
    other_note = re.search(rf'<input[^>]*id="action-{other.pk}-note"[^>]*>', page).group(0)
    assert 'value=""' in other_note and "aria-invalid" not in other_note


@pytest.mark.parametrize("removed", ["the item", "its parent"])
def test_an_item_removed_meanwhile_shows_back_what_was_typed(client, world, removed):
    """Someone removed the activity (or the strategy to add an outcome to) while it was typed:
    nothing is saved, the page names who removed it, and the typed text is in its box."""
    activity = world["activity"]
    plan = world["cim_plan"]
    remover = member(Role.CIM_MEMBER, world["district"])
    remover.first_name, remover.last_name = "Mei", "Chen"
    remover.save()
    if removed == "the item":
        url = reverse(
            "doc_item_edit",
            kwargs={"doc": "cim/plans", "pk": plan.pk, "kind": "activity", "item_pk": activity.pk},
        )
        data = {"title": LINE, "status": "in_progress", "expected_version": 1}
        removed_label = "this activity"
    else:
        url = reverse(
            "doc_item_add_under",
            kwargs={"doc": "cim/plans", "pk": plan.pk, "kind": "outcome", "parent_pk": activity.pk},
        )
        data = {"description": LINE}
        removed_label = "this activity"
    plan_services.remove(activity, user=remover)
    outcomes = plan.changes.count()
    client.force_login(world["lead"])
    response = client.post(url, data)
    page = response.content.decode()
    assert response.status_code == 200
    assert escape(LINE) in page
    assert f"Not saved: Mei Chen removed {removed_label} (Coach co-teachers)" in page
    assert plan.changes.count() == outcomes
    # Reading the removed item's page is still a 404: only a save gets the page back.
    assert client.get(url).status_code == 404
    # An id this plan never had is a 404 for a save too.
    head, _, _ = url.rstrip("/").rpartition("/")
    assert client.post(f"{head}/999999/", data).status_code == 404


def test_next_school_year_started_meanwhile_shows_back_the_dates(
    client, district, school_year, clock
):
    """Two district staff start the next year at once: the second one's dates come back, with
    the reason, and no second year is made."""
    from schoolplan.models import SchoolYear
    from schoolplan.next_year import proposed_dates, start_next_year

    clock.set(on(6, 10))
    staff = member(Role.DISTRICT_STAFF, district)
    dates = {name: f"{day:%Y-%m-%d}" for name, day in proposed_dates(school_year).items()}
    dates["kick_off_opens"] = dates["kick_off_opens"][:-2] + "03"
    client.force_login(staff)
    url = reverse("school_year_next", args=[district.pk, school_year.pk])
    assert client.get(url).status_code == 200
    start_next_year(
        school_year,
        user=member(Role.DISTRICT_STAFF, district),
        dates=proposed_dates(school_year),
        today=on(6, 10),
    )
    response = client.post(url, {**dates, "confirmed": "1"})
    page = response.content.decode()
    assert response.status_code == 200
    assert f'value="{dates["kick_off_opens"]}"' in page
    assert "has already been started" in page
    assert (
        SchoolYear.objects.filter(district=district, start_year=school_year.start_year + 1).count()
        == 1
    )
