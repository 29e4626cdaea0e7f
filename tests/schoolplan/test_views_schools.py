import pytest
from django.urls import reverse

from schoolplan.models import EssaDesignation, Level, Role, School

from ..clock import on
from ..factories import SchoolFactory, member

pytestmark = pytest.mark.django_db


def test_login_is_required(client, school):
    response = client.get(reverse("school_detail", args=[school.pk]))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


@pytest.mark.calendar
def test_principal_sees_their_school(client, clock, school, school_year):
    clock.set(on(10, 1))  # the page shows the year's requirements as of today
    client.force_login(member(Role.PRINCIPAL, school))
    response = client.get(reverse("school_detail", args=[school.pk]))
    assert response.status_code == 200
    assert b"Valdez Elementary" in response.content
    assert b"Kick Off" in response.content


@pytest.mark.parametrize(
    "role",
    [Role.PRINCIPAL, Role.SCHOOL_STAFF, Role.CADRE_MEMBER, Role.DISTRICT_STAFF, Role.CIM_LEAD],
)
def test_other_school_by_id_is_404(client, school, other_school, role):
    scope = (
        school
        if role in (Role.PRINCIPAL, Role.SCHOOL_STAFF, Role.CADRE_MEMBER)
        else school.district
    )
    client.force_login(member(role, scope))
    assert client.get(reverse("school_detail", args=[other_school.pk])).status_code == 404
    assert client.get(reverse("school_edit", args=[other_school.pk])).status_code == 404
    assert client.post(reverse("school_edit", args=[other_school.pk]), {}).status_code == 404


def test_ta_provider_gets_404_on_school_pages(client, school):
    client.force_login(member(Role.TA_PROVIDER, school.district))
    assert client.get(reverse("school_detail", args=[school.pk])).status_code == 404


def test_teacher_cannot_edit_their_school(client, school):
    client.force_login(member(Role.SCHOOL_STAFF, school))
    response = client.post(reverse("school_edit", args=[school.pk]), {"family_languages": ["en"]})
    assert response.status_code == 403
    school.refresh_from_db()
    assert school.family_languages == ["en", "es"]


def test_principal_edits_family_languages_only(client, school):
    client.force_login(member(Role.PRINCIPAL, school))
    response = client.post(
        reverse("school_edit", args=[school.pk]),
        {"family_languages": ["en", "so"], "title_i": "", "name": "Renamed"},
    )
    assert response.status_code == 302
    school.refresh_from_db()
    assert school.family_languages == ["en", "so"]
    assert school.name == "Valdez Elementary"
    assert school.title_i is True


def test_district_staff_edit_designations(client, school):
    client.force_login(member(Role.DISTRICT_STAFF, school.district))
    response = client.post(
        reverse("school_edit", args=[school.pk]),
        {
            "name": school.name,
            "level": Level.ELEMENTARY,
            "essa_designation": EssaDesignation.COMPREHENSIVE,
            "family_languages": ["en"],
            "public_slug": school.public_slug,
        },
    )
    assert response.status_code == 302
    school.refresh_from_db()
    assert school.essa_designation == EssaDesignation.COMPREHENSIVE
    assert school.title_i is False


def test_bad_language_is_refused_and_nothing_saved(client, school):
    client.force_login(member(Role.PRINCIPAL, school))
    response = client.post(reverse("school_edit", args=[school.pk]), {"family_languages": ["xx"]})
    assert response.status_code == 200
    assert b"Select a valid choice" in response.content
    school.refresh_from_db()
    assert school.family_languages == ["en", "es"]


def test_school_list_shows_only_visible_schools(client, school, other_school):
    client.force_login(member(Role.DISTRICT_STAFF, school.district))
    SchoolFactory(district=school.district, name="Lincoln Middle", level=Level.MIDDLE)
    response = client.get(reverse("school_list"))
    names = [s.name for s in response.context["page"].object_list]
    assert names == ["Lincoln Middle", "Valdez Elementary"]
    response = client.get(reverse("school_list"), {"level": "middle"})
    assert [s.name for s in response.context["page"].object_list] == ["Lincoln Middle"]
    response = client.get(reverse("school_list"), {"q": "nothing-like-this"})
    assert b"No school matches these filters" in response.content


def test_school_list_paginates(client, district):
    user = member(Role.DISTRICT_STAFF, district)
    SchoolFactory.create_batch(30, district=district)
    client.force_login(user)
    first = client.get(reverse("school_list"))
    assert len(first.context["page"].object_list) == 25
    second = client.get(reverse("school_list"), {"page": 2})
    assert len(second.context["page"].object_list) == 5


def test_school_list_queries_do_not_grow_with_rows(client, district, django_assert_max_num_queries):
    client.force_login(member(Role.DISTRICT_STAFF, district))
    SchoolFactory.create_batch(3, district=district)
    with django_assert_max_num_queries(8) as few:
        client.get(reverse("school_list"))
    SchoolFactory.create_batch(20, district=district)
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(reverse("school_list"))


def test_family_page_is_public_and_shows_nothing_private(client, school):
    response = client.get(reverse("family_school", args=[school.public_slug]))
    assert response.status_code == 200
    assert b"Valdez Elementary" in response.content
    assert b"Edit school" not in response.content


def test_unknown_family_page_is_404(client, db):
    assert client.get(reverse("family_school", args=["no-such-school"])).status_code == 404


def test_school_detail_has_no_edit_button_for_staff(client, school):
    client.force_login(member(Role.SCHOOL_STAFF, school))
    response = client.get(reverse("school_detail", args=[school.pk]))
    assert b"Edit school" not in response.content
    assert School.objects.count() == 1
