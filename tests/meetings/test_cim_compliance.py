import pytest

from meetings import cim_reviews, services
from meetings.models import MeetingStatus
from schoolplan.models import Role

from ..cim_helpers import review_on
from ..clock import YEAR, on
from ..factories import SchoolFactory, member

pytestmark = pytest.mark.django_db


@pytest.fixture
def lead(district, school_year):
    return member(Role.CIM_LEAD, district)


def states(district, year, today):
    return {
        m.first_day.month: m.state for m in cim_reviews.monthly_compliance(district, year, today)
    }


def hold(review):
    review.status = MeetingStatus.HELD
    review.save()


def test_months_run_july_to_june(district, school_year):
    months = cim_reviews.monthly_compliance(district, school_year, on(11, 22))
    assert [m.label for m in months][:2] == [f"Jul {YEAR}", f"Aug {YEAR}"]
    assert months[-1].label == f"Jun {YEAR + 1}"


def test_held_gap_open_and_future(district, school_year, lead):
    hold(review_on(district, lead, on(9, 17)))
    result = states(district, school_year, on(11, 22))
    assert result[7] == "gap" and result[8] == "gap"
    assert result[9] == "held"
    assert result[10] == "gap"
    assert result[11] == "open"
    assert result[12] == "future"


def test_a_month_with_only_a_cancelled_review_is_a_gap(district, school_year, lead):
    review = review_on(district, lead, on(10, 15))
    services.cancel_meeting(review, user=lead, reason="Flu")
    assert states(district, school_year, on(11, 22))[10] == "gap"


def test_a_planned_but_not_held_review_is_a_gap_once_the_month_ends(district, school_year, lead):
    review_on(district, lead, on(10, 15))
    assert states(district, school_year, on(10, 20))[10] == "open"
    assert states(district, school_year, on(11, 1))[10] == "gap"


def test_a_review_held_on_the_last_day_counts(district, school_year, lead):
    # 10:30 PM on Sep 30 in California is already Oct 1 in UTC.
    hold(review_on(district, lead, on(9, 30), hour=22))
    result = states(district, school_year, on(11, 22))
    assert result[9] == "held"
    assert result[10] == "gap"


def test_the_team_is_invited(district, school_year, lead):
    from schoolplan.models import CimTeam

    other = member(Role.CIM_MEMBER, district)
    team = CimTeam.objects.create(district=district, school_year=school_year, lead=lead)
    team.members.add(other)
    review = review_on(district, lead, on(10, 15))
    assert {i.user for i in review.invitations.all()} == {lead, other}


def test_team_lead_must_hold_the_lead_role(district, school_year):
    from django.core.exceptions import ValidationError

    from schoolplan.models import CimTeam

    not_lead = member(Role.CIM_MEMBER, district)
    with pytest.raises(ValidationError, match="is not a CIM team lead"):
        CimTeam(district=district, school_year=school_year, lead=not_lead).full_clean()


def test_home_card_tells_the_team_about_this_month_and_gaps(district, school_year, lead):
    from schoolplan.attention import cards_for

    hold(review_on(district, lead, on(9, 17)))
    [card] = cards_for(lead, on(11, 12))  # from the 20th, the reminder rule says it
    texts = [item.title for item in card.items]
    assert f"No CIM review held yet in Nov {YEAR}." in texts
    assert f"Months with no held CIM review: Jul {YEAR}, Aug {YEAR}, Oct {YEAR}." in texts
    hold(review_on(district, lead, on(11, 19)))
    [card] = cards_for(lead, on(11, 22))
    texts = [item.title for item in card.items]
    assert not [t for t in texts if t.startswith("No CIM review held yet")]
    assert f"Months with no held CIM review: Jul {YEAR}, Aug {YEAR}, Oct {YEAR}." in texts


def test_lead_records_the_team_and_ta_cannot(client, district, school_year, lead):
    from django.urls import reverse

    from schoolplan.models import CimTeam

    colleague = member(Role.CIM_MEMBER, district)
    ta = member(Role.TA_PROVIDER, district)
    outsider = member(Role.SCHOOL_STAFF, SchoolFactory(district=district))
    url = reverse("cim_team_edit", args=[district.pk])
    client.force_login(ta)
    assert client.post(url, {"lead": lead.pk}).status_code == 403
    client.force_login(lead)
    response = client.post(url, {"lead": outsider.pk, "members": [colleague.pk]})
    assert "Select a valid choice" in response.content.decode()
    assert not CimTeam.objects.exists()
    response = client.post(
        url, {"lead": lead.pk, "members": [lead.pk, colleague.pk], "ta_provider": ta.pk}
    )
    assert response.status_code == 302
    team = CimTeam.objects.get()
    assert (team.lead, set(team.members.all()), team.ta_provider) == (lead, {lead, colleague}, ta)
    assert [p.pk for p in team.people] == [lead.pk, colleague.pk]
