import re

import pytest
from django.urls import reverse

from schoolplan.attention import cards_for
from schoolplan.models import CimStatus, EssaDesignation, Role

from ..clock import YEAR, on, year_name
from ..factories import DistrictFactory, SchoolFactory, member

# The home cards are the cards of a day: each test states it.
pytestmark = [pytest.mark.django_db, pytest.mark.calendar]


def texts(cards):
    return [item.title for card in cards for item in card.items]


def test_cadre_member_sees_the_open_window(client, clock, school, school_year):
    clock.set(on(11, 22))
    user = member(Role.CADRE_MEMBER, school)
    cards = cards_for(user)
    assert [c.title for c in cards] == ["Valdez Elementary"]
    assert cards[0].year == school_year
    client.force_login(user)
    page = client.get(reverse("home")).content.decode()
    # The card's strip of windows: Kick Off open, Check In next.
    assert re.search(r'window open">\s*<div class="fw-semibold">Kick Off</div>', page)
    assert re.search(r'window upcoming">\s*<div class="fw-semibold">Check In</div>', page)
    # The cadre's links are the card's, not things to do.
    assert [text for text, _url in cards[0].links] == [
        "Family and Community Cadre: our vision, action plan, surveys and meetings.",
        "Your school's family pages: what families see.",
    ]
    assert cards[0].items == []


def test_window_about_to_open_is_announced(school, school_year):
    cards = cards_for(member(Role.PRINCIPAL, school), on(11, 22))
    assert (
        f"Valdez Elementary: Check In CPM: the window opens on 1 Dec {YEAR}; schedule it for "
        f"1 Dec {YEAR} – 31 Mar {YEAR + 1}"
    ) in texts(cards)


def test_targeted_school_principal_is_reminded_of_essa_plan(district, school_year):
    school = SchoolFactory(district=district, essa_designation=EssaDesignation.TARGETED)
    cards = cards_for(member(Role.PRINCIPAL, school), on(5, 1))
    assert f"{school.name}: submit the ESSA action plan by 15 May {YEAR + 1} (14 days)" in texts(
        cards
    )


def test_school_without_a_year_is_told_so(school):
    [card] = cards_for(member(Role.PRINCIPAL, school), on(11, 22))
    assert "has not set up the school year" in card.notes[0].text


def test_district_staff_without_a_year_get_a_link_to_set_it_up(district):
    cards = cards_for(member(Role.DISTRICT_STAFF, district), on(11, 22))
    item = cards[0].items[0]
    assert item.title == f"No school year {year_name()} is set up: schools see no windows."
    assert item.link == reverse("school_year_create", args=[district.pk])


def test_missing_cpm_contact_is_flagged(school_year):
    district = school_year.district
    district.cpm_contact_email = ""
    district.save()
    cards = cards_for(member(Role.DISTRICT_STAFF, district), on(11, 22))
    assert any("No CPM contact" in t for t in texts(cards))


def test_cim_team_sees_report_cadence():
    district = DistrictFactory(cim_status=CimStatus.TARGETED_2)
    [card] = cards_for(member(Role.CIM_LEAD, district), on(11, 22))
    assert card.links == [
        (
            "CIM progress reports are due semi-annually (Targeted level 2).",
            reverse("progress_reports", args=[district.pk]),
        )
    ]


def test_user_without_role_sees_the_empty_state(client, db):
    from ..factories import UserFactory

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


def test_district_staff_and_cim_lead_see_the_schools_with_gaps(
    client, clock, district, school_year
):
    for name in ("Alder", "Birch", "Cedar"):
        SchoolFactory(district=district, name=f"{name} Elementary")
    clock.set(on(12, 5))  # Kick Off and the SPF window closed with nothing held
    for role in (Role.DISTRICT_STAFF, Role.CIM_LEAD):
        user = member(role, district)
        [card] = cards_for(user)
        [gaps] = [d for d in card.items if d.rule == "schools-with-gaps"]
        assert gaps.title.startswith("3 of 3 schools have gaps (Kick Off: 3 missed")
        assert gaps.link == reverse("compliance", args=[district.pk]) + "?gap=1"
        assert 'role="img"' in gaps.chart and "Kick Off: 3 missed" in gaps.chart
        client.force_login(user)
        page = client.get(reverse("home")).content.decode()
        assert 'class="requirement-chart"' in page
        assert client.get(gaps.link).status_code == 200
    assert not [
        d
        for d in cards_for(member(Role.CIM_MEMBER, district))[0].items
        if d.rule == "schools-with-gaps"
    ]


def test_district_home_queries_do_not_grow_with_schools(
    client, clock, district, school_year, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    clock.set(on(12, 5))
    staff = member(Role.DISTRICT_STAFF, district)
    SchoolFactory(district=district)
    client.force_login(staff)
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("home"))
    for _ in range(25):
        school = SchoolFactory(district=district, title_i=True)
        member(Role.PRINCIPAL, school)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(reverse("home")).status_code == 200
