import pytest
from django.urls import reverse

from schoolplan.models import Role, SchoolYear

from ..clock import YEAR, on, year_name
from ..factories import DistrictFactory, SchoolYearFactory, member

pytestmark = pytest.mark.django_db


def year_post(start_year=YEAR + 1, **changes):
    data = {"start_year": start_year}
    data.update(changes)
    return data


def test_district_staff_create_a_year_with_default_windows(client, district):
    client.force_login(member(Role.DISTRICT_STAFF, district))
    response = client.post(reverse("school_year_create", args=[district.pk]), year_post())
    assert response.status_code == 302
    year = SchoolYear.objects.get(district=district, start_year=YEAR + 1)
    assert year.kick_off_opens == on(8, 1, start_year=YEAR + 1)
    assert year.essa_plan_due == on(5, 15, start_year=YEAR + 1)


def test_new_year_form_is_prefilled_with_defaults(client, district, school_year):
    client.force_login(member(Role.DISTRICT_STAFF, district))
    response = client.get(reverse("school_year_create", args=[district.pk]))
    assert response.context["form"].initial["start_year"] == YEAR + 1
    assert response.context["form"].initial["kick_off_opens"] == on(8, 1, start_year=YEAR + 1)


def test_window_outside_year_is_refused_with_the_message(client, district, school_year):
    client.force_login(member(Role.DISTRICT_STAFF, district))
    response = client.post(
        reverse("school_year_edit", args=[district.pk, school_year.pk]),
        year_post(
            YEAR,
            kick_off_opens=on(8, 1).isoformat(),
            kick_off_closes=on(7, 10, start_year=YEAR + 1).isoformat(),
        ),
    )
    assert response.status_code == 200
    assert f"must close within the school year {year_name()}" in response.content.decode()
    school_year.refresh_from_db()
    assert school_year.kick_off_closes == on(11, 30)


def test_edit_a_window(client, district, school_year):
    client.force_login(member(Role.DISTRICT_STAFF, district))
    response = client.post(
        reverse("school_year_edit", args=[district.pk, school_year.pk]),
        year_post(
            YEAR,
            **{
                f: getattr(school_year, f).isoformat()
                for f in ("kick_off_opens", "kick_off_closes", "check_in_opens")
            },
            spf_sharing_opens=on(10, 15).isoformat(),
        ),
    )
    assert response.status_code == 302
    school_year.refresh_from_db()
    assert school_year.spf_sharing_opens == on(10, 15)


def test_duplicate_year_is_refused(client, district, school_year):
    client.force_login(member(Role.DISTRICT_STAFF, district))
    response = client.post(reverse("school_year_create", args=[district.pk]), year_post(YEAR))
    assert response.status_code == 200
    assert f"already has the school year {year_name()}" in response.content.decode()


@pytest.mark.parametrize("role", [Role.CIM_LEAD, Role.CIM_MEMBER, Role.TA_PROVIDER])
def test_read_only_district_roles_cannot_edit(client, district, school_year, role):
    client.force_login(member(role, district))
    assert client.get(reverse("district_detail", args=[district.pk])).status_code == 200
    assert client.post(reverse("district_edit", args=[district.pk]), {}).status_code == 403
    response = client.post(reverse("school_year_create", args=[district.pk]), year_post())
    assert response.status_code == 403
    assert not SchoolYear.objects.filter(start_year=YEAR + 1).exists()


def test_principal_gets_404_on_district_pages(client, school):
    client.force_login(member(Role.PRINCIPAL, school))
    assert client.get(reverse("district_detail", args=[school.district.pk])).status_code == 404


def test_other_district_is_404(client, district):
    other = DistrictFactory()
    year = SchoolYearFactory(district=other)
    client.force_login(member(Role.DISTRICT_STAFF, district))
    assert client.get(reverse("district_detail", args=[other.pk])).status_code == 404
    assert client.post(reverse("district_edit", args=[other.pk]), {}).status_code == 404
    url = reverse("school_year_edit", args=[other.pk, year.pk])
    assert client.post(url, year_post(YEAR)).status_code == 404
    # Nor through the own district's URL with the other's year id.
    url = reverse("school_year_edit", args=[district.pk, year.pk])
    assert client.get(url).status_code == 404


def test_district_staff_edit_contacts(client, district):
    client.force_login(member(Role.DISTRICT_STAFF, district))
    response = client.post(
        reverse("district_edit", args=[district.pk]),
        {
            "name": district.name,
            "cim_status": "targeted_2",
            "cpm_contact_name": "Gloria",
            "cpm_contact_email": "not-an-email",
        },
    )
    assert response.status_code == 200
    assert "Enter a valid email address" in response.content.decode()
    district.refresh_from_db()
    assert district.cim_status == "intensive_1"
