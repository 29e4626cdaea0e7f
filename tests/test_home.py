import pytest
from django.urls import reverse

from schoolplan.attention import cards_for
from schoolplan.models import CimStatus, EssaDesignation, Role

from .clock import YEAR, on, year_name
from .factories import DistrictFactory, SchoolFactory, member

# The home cards are the cards of a day: each test states it.
pytestmark = [pytest.mark.django_db, pytest.mark.calendar]


def texts(cards):
    return [item.text for card in cards for item in card.items]


def test_cadre_member_sees_the_open_window(school, school_year):
    user = member(Role.CADRE_MEMBER, school)
    cards = cards_for(user, on(11, 22))
    assert [c.title for c in cards] == ["Valdez Elementary"]
    assert f"The Kick Off window is open until 30 Nov {YEAR} (8 days left)." in texts(cards)


def test_window_about_to_open_is_announced(school, school_year):
    cards = cards_for(member(Role.CADRE_MEMBER, school), on(11, 22))
    assert f"The Check In window opens soon: 1 Dec {YEAR} – 31 Mar {YEAR + 1}." in texts(cards)


def test_targeted_school_principal_is_reminded_of_essa_plan(district, school_year):
    school = SchoolFactory(district=district, essa_designation=EssaDesignation.TARGETED)
    cards = cards_for(member(Role.PRINCIPAL, school), on(5, 1))
    assert f"The ESSA action plan is due 15 May {YEAR + 1} (14 days)." in texts(cards)


def test_school_without_a_year_is_told_so(school):
    cards = cards_for(member(Role.PRINCIPAL, school), on(11, 22))
    assert "has not set up the school year" in texts(cards)[0]


def test_district_staff_without_a_year_get_a_link_to_set_it_up(district):
    cards = cards_for(member(Role.DISTRICT_STAFF, district), on(11, 22))
    item = cards[0].items[0]
    assert item.text == f"No school year {year_name()} is set up: schools see no windows."
    assert item.url == reverse("school_year_create", args=[district.pk])


def test_missing_cpm_contact_is_flagged(school_year):
    district = school_year.district
    district.cpm_contact_email = ""
    district.save()
    cards = cards_for(member(Role.DISTRICT_STAFF, district), on(11, 22))
    assert any("No CPM contact" in t for t in texts(cards))


def test_cim_team_sees_report_cadence():
    district = DistrictFactory(cim_status=CimStatus.TARGETED_2)
    cards = cards_for(member(Role.CIM_LEAD, district), on(11, 22))
    assert "CIM progress reports are due semi-annually (Targeted level 2)." in texts(cards)


def test_user_without_role_sees_the_empty_state(client, db):
    from .factories import UserFactory

    client.force_login(UserFactory())
    response = client.get(reverse("home"))
    assert b"You have no role in a school or district yet" in response.content


def test_home_page_renders_every_role(client, clock, school, school_year):
    clock.set(on(11, 22))  # the cards are today's
    for role, scope in [
        (Role.PRINCIPAL, school),
        (Role.SCHOOL_STAFF, school),
        (Role.CADRE_MEMBER, school),
        (Role.DISTRICT_STAFF, school.district),
        (Role.CIM_LEAD, school.district),
        (Role.TA_PROVIDER, school.district),
    ]:
        client.force_login(member(role, scope))
        response = client.get(reverse("home"))
        assert response.status_code == 200
        assert Role(role).label.encode() in response.content
