"""The SAMI note catcher page (seed 002; issue 23): the school's staff start and fill it (team,
rated items, ESSA data review notes), district staff read it, other schools get a 404; a stale
save is refused for that part with both texts shown; ESSA root causes link to its items."""

import pytest
from django.urls import reverse

from meetings.models import Sami, SamiItem
from plans import services as plan_services
from plans import workflow
from plans.models import ProblemStatement, RootCause
from schoolplan.models import Role

from ..factories import SchoolFactory, member
from ..sami_helpers import sami_with_items

pytestmark = pytest.mark.django_db


def _item_url(name, sami, kind, **kwargs):
    return reverse(name, kwargs={"doc": "sami", "pk": sami.pk, "kind": kind, **kwargs})


def test_school_staff_start_the_sami_and_fill_it(client, school, school_year):
    teacher = member(Role.SCHOOL_STAFF, school)
    client.force_login(teacher)
    response = client.post(reverse("school_sami", args=[school.pk]))
    sami = Sami.objects.get(school=school, school_year=school_year)
    assert response.url == sami.get_absolute_url()
    client.post(_item_url("doc_item_add", sami, "member"), {"name": "Ana Ruiz", "role": "Coach"})
    client.post(
        _item_url("doc_item_add", sami, "item"),
        {"name": "Universal tier instruction", "rating": "1", "notes": "Core math uneven"},
    )
    client.post(
        _item_url("doc_item_edit", sami, "about", item_pk=sami.pk),
        {"essa_review": "Grade 3 math: 41% proficient", "expected_version": 1},
    )
    page = client.get(sami.get_absolute_url()).content.decode()
    for text in (
        "Ana Ruiz",
        "Coach",
        "Universal tier instruction",
        "1 – Emerging",
        "41% proficient",
    ):
        assert text in page
    assert sami.changes.filter(object_kind="SAMI item", action="added").count() == 1


def test_bad_input_is_shown_back_beside_the_field(client, school, school_year):
    principal = member(Role.PRINCIPAL, school)
    sami = workflow.start_sami(school=school, year=school_year, user=principal)
    client.force_login(principal)
    response = client.post(
        _item_url("doc_item_add", sami, "item"), {"name": "Leadership", "rating": "9"}
    )
    page = response.content.decode()
    assert response.status_code == 200 and "Select a valid choice" in page
    assert 'value="Leadership"' in page and not SamiItem.objects.exists()


def test_district_staff_read_it_and_other_schools_get_404(client, school, school_year, district):
    principal = member(Role.PRINCIPAL, school)
    sami, items = sami_with_items(school, school_year, principal)
    staff = member(Role.DISTRICT_STAFF, district)
    client.force_login(staff)
    page = client.get(sami.get_absolute_url()).content.decode()
    assert "Universal tier" in page and "Add an item" not in page
    assert client.post(sami.get_absolute_url(), {"expected_version": 2}).status_code == 403
    assert client.post(_item_url("doc_item_add", sami, "item"), {"name": "x"}).status_code == 403
    elsewhere = SchoolFactory(district=district)
    client.force_login(member(Role.PRINCIPAL, elsewhere))
    assert client.get(sami.get_absolute_url()).status_code == 404
    edit = _item_url("doc_item_edit", sami, "item", item_pk=items[0].pk)
    assert client.post(edit, {"name": "x", "rating": "0", "expected_version": 1}).status_code == 404
    assert client.get(reverse("school_sami", args=[school.pk])).status_code == 404
    items[0].refresh_from_db()
    assert items[0].name == "Universal tier"


def test_a_stale_save_of_the_review_notes_shows_both_texts(client, school, school_year):
    principal = member(Role.PRINCIPAL, school)
    sami = workflow.start_sami(school=school, year=school_year, user=principal)
    colleague = member(Role.SCHOOL_STAFF, school)
    plan_services.update(sami, user=colleague, expected_version=1, essa_review="Their notes")
    client.force_login(principal)
    response = client.post(
        _item_url("doc_item_edit", sami, "about", item_pk=sami.pk),
        {"essa_review": "My notes", "expected_version": 1},
    )
    page = response.content.decode()
    assert "after you opened the page" in page and "Their notes" in page and "My notes" in page
    sami.refresh_from_db()
    assert sami.essa_review == "Their notes"
    # The high-leverage actions are their own part: a notes edit does not make them stale.
    assert sami.high_leverage_version == 1


def _plan_with_cause(school, year, user):
    plan = workflow.start_essa_plan(school=school, year=year, user=user)
    problem = plan_services.add(
        ProblemStatement, user=user, plan=plan, desired_state="80%", current_state="41%", gap="39"
    )
    cause = plan_services.add(
        RootCause, user=user, problem=problem, description="Uneven core math", evidence="Walks"
    )
    return plan, cause


def test_root_causes_link_to_the_sami_items_both_ways(client, school, school_year):
    principal = member(Role.PRINCIPAL, school)
    sami, items = sami_with_items(school, school_year, principal)
    plan, cause = _plan_with_cause(school, school_year, principal)
    client.force_login(principal)
    url = reverse(
        "doc_item_edit",
        kwargs={"doc": "essa", "pk": plan.pk, "kind": "root-cause", "item_pk": cause.pk},
    )
    form_page = client.get(url).content.decode()
    assert all(item.name in form_page for item in items)
    response = client.post(
        url,
        {
            "description": "Uneven core math",
            "evidence": "Walks",
            "sami_items": [items[0].pk, items[2].pk],
            "expected_version": cause.version,
        },
    )
    assert response.status_code == 302
    assert list(cause.sami_items.order_by("pk")) == [items[0], items[2]]
    plan_page = client.get(plan.get_absolute_url()).content.decode()
    assert f"#sami-item-{items[0].pk}" in plan_page and "Leadership" in plan_page
    sami_page = client.get(sami.get_absolute_url()).content.decode()
    assert f"#problem-{cause.problem_id}" in sami_page and "Uneven core math" in sami_page
    history = plan.changes.get(object_kind="root cause", action="changed")
    assert "Universal tier; Leadership" in str(history.changes)


def test_a_root_cause_offers_only_the_schools_sami_of_the_plans_year(client, school, school_year):
    principal = member(Role.PRINCIPAL, school)
    plan, cause = _plan_with_cause(school, school_year, principal)
    other = SchoolFactory(district=school.district)
    _sami, foreign = sami_with_items(other, school_year, member(Role.PRINCIPAL, other))
    client.force_login(principal)
    url = reverse(
        "doc_item_edit",
        kwargs={"doc": "essa", "pk": plan.pk, "kind": "root-cause", "item_pk": cause.pk},
    )
    assert "SAMI items it was verified against" not in client.get(url).content.decode()
    _mine, items = sami_with_items(school, school_year, principal, names=("Leadership",))
    page = client.get(url).content.decode()
    assert "SAMI items it was verified against" in page and foreign[0].name not in page
    response = client.post(
        url,
        {
            "description": "Changed",
            "evidence": "Walks",
            "sami_items": [items[0].pk, foreign[0].pk],
            "expected_version": cause.version,
        },
    )
    page = response.content.decode()
    assert response.status_code == 200 and "Select a valid choice" in page
    assert 'value="Changed"' in page
    cause.refresh_from_db()
    assert cause.description == "Uneven core math" and not cause.sami_items.exists()


def test_the_school_page_and_workshops_page_link_to_the_sami(client, school, school_year):
    client.force_login(member(Role.PRINCIPAL, school))
    url = reverse("school_sami", args=[school.pk])
    assert url in client.get(school.get_absolute_url()).content.decode()
    assert url in client.get(reverse("school_workshops", args=[school.pk])).content.decode()
    start = client.get(url).content.decode()
    assert "Start the" in start and "SAMI note catcher" in start


def test_the_sami_page_reads_in_a_fixed_number_of_queries(
    client, school, school_year, django_assert_max_num_queries
):
    principal = member(Role.PRINCIPAL, school)
    sami, items = sami_with_items(school, school_year, principal)
    plan, cause = _plan_with_cause(school, school_year, principal)
    cause.sami_items.set(items[:2])
    client.force_login(principal)
    with django_assert_max_num_queries(60) as few:
        client.get(sami.get_absolute_url())
    more, _ = sami_with_items(
        school, school_year, principal, names=[f"Item {n}" for n in range(12)]
    )
    assert more == sami
    for item in sami.items.all():
        cause.sami_items.add(item)
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = client.get(sami.get_absolute_url()).content.decode()
    assert "Item 11" in page
    with django_assert_max_num_queries(80) as few:
        client.get(plan.get_absolute_url())
    for n in range(5):
        extra = plan_services.add(
            RootCause, user=principal, problem=cause.problem, description=f"C{n}", evidence="e"
        )
        extra.sami_items.set(items)
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(plan.get_absolute_url())
