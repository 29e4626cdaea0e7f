"""The School Blueprint (seed 002) and the goals set at CPM meetings (seed 000): one model."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from meetings import services as meeting_services
from meetings.models import Goal, GoalArea
from plans import services as plan_services
from plans import workflow
from plans.models import Initiative
from progress.models import Measurement, Metric
from schoolplan.models import CpmStage, Role

from ..clock import on
from ..factories import member
from ..meeting_helpers import at

pytestmark = pytest.mark.django_db


@pytest.fixture
def principal(school):
    return member(Role.PRINCIPAL, school)


@pytest.fixture
def blueprint(school, school_year, principal):
    return workflow.start_blueprint(school=school, year=school_year, user=principal)


def _cpm(school, user, stage, day):
    start = at(day, 17)
    return meeting_services.schedule_cpm_meeting(
        user=user,
        school=school,
        stage=stage,
        starts_at=start,
        ends_at=start + timedelta(hours=2),
        place="Cafeteria",
    )


@pytest.mark.calendar
def test_a_goal_set_at_kick_off_is_the_blueprints_goal_and_the_check_ins(
    client, clock, school, school_year, principal, blueprint
):
    # Each meeting is scheduled ahead of it, and the measurement taken before the Check In.
    clock.set(on(10, 1))
    kick_off = _cpm(school, principal, CpmStage.KICK_OFF, on(10, 22))
    goal = meeting_services.add_goal(
        kick_off, user=principal, text="40% of grades 3-5 meet the math standard", area="math"
    )
    # One row, not a copy: the Blueprint lists the very goal.
    assert list(blueprint.goals) == [goal]
    assert Goal.objects.count() == 1
    metric = plan_services.add(
        Metric,
        user=principal,
        goal=goal,
        name="Math proficiency",
        unit="%",
        baseline=Decimal("31"),
        target=Decimal("40"),
        target_date=on(5, 30),
    )
    clock.set(on(1, 16))
    Measurement.objects.create(metric=metric, date=on(1, 15), value=Decimal("35"))
    client.force_login(principal)
    page = client.get(blueprint.get_absolute_url()).content.decode()
    assert "40% of grades 3-5 meet the math standard" in page and "Learning: math" in page
    # The Check In's agenda and page list the goal with its progress.
    check_in = _cpm(school, principal, CpmStage.CHECK_IN, on(1, 20))
    assert any("40% of grades 3-5" in item.title for item in check_in.agenda_items.all())
    page = client.get(check_in.get_absolute_url()).content.decode()
    assert "The year's goals and their progress" in page
    assert f"Math proficiency: 35% on 15 Jan {on(1, 15).year}" in page
    # A goal's metric change is kept in the Blueprint's history.
    assert blueprint.changes.filter(object_kind="metric", action="added").exists()
    clock.set(on(5, 1))
    wrap_up = _cpm(school, principal, CpmStage.WRAP_UP, on(5, 20))
    client.force_login(principal)  # months later: a new session
    assert "Math proficiency: 35%" in client.get(wrap_up.get_absolute_url()).content.decode()


def test_goals_added_in_the_blueprint_need_text(client, principal, blueprint):
    client.force_login(principal)
    url = reverse("doc_item_add", kwargs={"doc": "blueprints", "pk": blueprint.pk, "kind": "goal"})
    response = client.post(url, {"area": "reading", "text": ""})
    assert response.status_code == 200 and "This field is required." in response.content.decode()
    assert not Goal.objects.exists()
    client.post(url, {"area": "reading", "text": "All K-2 read at grade level"})
    goal = Goal.objects.get()
    assert (goal.area, goal.school, goal.set_at) == ("reading", blueprint.school, None)


def test_leading_measures_need_an_area(client, principal, blueprint):
    client.force_login(principal)
    url = reverse(
        "doc_item_add", kwargs={"doc": "blueprints", "pk": blueprint.pk, "kind": "measure"}
    )
    data = {
        "name": "Chronic absence",
        "unit": "%",
        "baseline": "14",
        "target": "9",
        "target_date": on(6, 1).isoformat(),
        "direction": "down",
    }
    client.post(url, {**data, "area": ""})
    assert not Metric.objects.exists()
    client.post(url, {**data, "area": GoalArea.THRIVING})
    measure = Metric.objects.get()
    assert (measure.blueprint, measure.kind, measure.area) == (blueprint, "leading", "thriving")


def test_only_the_principal_publishes(client, school, principal, blueprint):
    Initiative.objects.create(blueprint=blueprint, area="math", title="Math talk")
    blueprint.theory_of_action = "If we …"
    blueprint.save()
    client.force_login(member(Role.SCHOOL_STAFF, school))
    assert client.post(reverse("blueprint_publish", args=[blueprint.pk])).status_code == 403
    blueprint.refresh_from_db()
    assert not blueprint.is_published
    client.force_login(principal)
    client.post(reverse("blueprint_publish", args=[blueprint.pk]))
    blueprint.refresh_from_db()
    assert blueprint.is_published and blueprint.published_by == principal


def test_an_empty_blueprint_is_not_published(principal, blueprint):
    with pytest.raises(ValidationError, match="families would see an empty page"):
        workflow.publish_blueprint(blueprint, user=principal)


def test_the_public_blueprint_shows_only_what_is_published(client, school, principal, blueprint):
    url = reverse("family_blueprint", args=[school.public_slug])
    # A name no page word contains (a generated "Le" matched "Leading measures").
    principal.last_name = "Quennell-Staff"
    principal.save()
    blueprint.theory_of_action = "If we teach math talk, then students explain their thinking."
    blueprint.save()
    Initiative.objects.create(blueprint=blueprint, area="belonging", title="Family math nights")
    assert client.get(url).status_code == 404  # a draft is nobody's business yet
    workflow.publish_blueprint(blueprint, user=principal)
    response = client.get(url)  # anonymous: families have no accounts
    page = response.content.decode()
    assert response.status_code == 200
    assert "Family math nights" in page and "students explain their thinking" in page
    assert principal.last_name not in page  # staff names are not published
    assert "edit" not in page.lower().split("<footer")[0].split("</nav>")[-1]
    workflow.unpublish_blueprint(blueprint, user=principal)
    assert client.get(url).status_code == 404


def test_another_school_cannot_reach_the_blueprint(client, blueprint, other_school):
    client.force_login(member(Role.PRINCIPAL, other_school))
    assert client.get(blueprint.get_absolute_url()).status_code == 404
    assert client.post(reverse("blueprint_publish", args=[blueprint.pk])).status_code == 404
    edit = reverse(
        "doc_item_edit",
        kwargs={"doc": "blueprints", "pk": blueprint.pk, "kind": "about", "item_pk": blueprint.pk},
    )
    assert client.post(edit, {"theory_of_action": "x", "expected_version": 1}).status_code == 404


def test_theory_of_action_keeps_its_history_and_refuses_stale_saves(
    client, school, principal, blueprint
):
    client.force_login(principal)
    url = reverse(
        "doc_item_edit",
        kwargs={"doc": "blueprints", "pk": blueprint.pk, "kind": "about", "item_pk": blueprint.pk},
    )
    client.post(url, {"theory_of_action": "If we A", "expected_version": 1})
    blueprint.refresh_from_db()
    assert (blueprint.theory_of_action, blueprint.version) == ("If we A", 2)
    response = client.post(url, {"theory_of_action": "If we B", "expected_version": 1})
    assert "Someone else saved this first" in response.content.decode()
    blueprint.refresh_from_db()
    assert blueprint.theory_of_action == "If we A"
    change = blueprint.changes.get(action="changed")
    assert change.changes == {"Theory of action": ["", "If we A"]}
