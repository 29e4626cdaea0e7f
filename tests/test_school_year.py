from datetime import date

import pytest
from django.core.exceptions import ValidationError

from schoolplan.models import CpmStage, SchoolYear

from .factories import SchoolYearFactory

pytestmark = pytest.mark.django_db


def test_defaults_follow_domain(district):
    year = SchoolYearFactory(district=district, start_year=2026)
    assert year.name == "2026-27"
    assert (year.starts_on, year.ends_on) == (date(2026, 7, 1), date(2027, 6, 30))
    kick_off, check_in, wrap_up = year.cpm_windows
    assert (kick_off.opens, kick_off.closes) == (date(2026, 8, 1), date(2026, 11, 30))
    assert (check_in.opens, check_in.closes) == (date(2026, 12, 1), date(2027, 3, 31))
    assert (wrap_up.opens, wrap_up.closes) == (date(2027, 4, 1), date(2027, 6, 30))
    spf = year.window("spf_sharing")
    assert (spf.opens, spf.closes) == (date(2026, 10, 20), date(2026, 11, 10))
    assert year.essa_plan_due == date(2027, 5, 15)


@pytest.mark.parametrize(
    ("day", "stage"),
    [
        (date(2026, 8, 1), CpmStage.KICK_OFF),
        (date(2026, 11, 30), CpmStage.KICK_OFF),
        (date(2026, 12, 1), CpmStage.CHECK_IN),
        (date(2027, 3, 31), CpmStage.CHECK_IN),
        (date(2027, 4, 1), CpmStage.WRAP_UP),
        (date(2027, 6, 30), CpmStage.WRAP_UP),
    ],
)
def test_window_edges_belong_to_their_window(district, day, stage):
    year = SchoolYearFactory(district=district)
    assert [w.key for w in year.cpm_windows if w.contains(day)] == [stage.value]


def test_july_is_in_no_cpm_window(district):
    year = SchoolYearFactory(district=district)
    assert not any(w.contains(date(2026, 7, 31)) for w in year.cpm_windows)


def test_start_year_containing():
    assert SchoolYear.start_year_containing(date(2026, 6, 30)) == 2025
    assert SchoolYear.start_year_containing(date(2026, 7, 1)) == 2026
    assert SchoolYear.start_year_containing(date(2027, 1, 15)) == 2026


def test_district_can_change_a_window(district):
    year = SchoolYearFactory(district=district, spf_sharing_opens=date(2026, 10, 1))
    year.full_clean()
    assert year.window("spf_sharing").opens == date(2026, 10, 1)


def test_window_outside_the_year_is_rejected_with_a_clear_message(district):
    year = SchoolYear(district=district, start_year=2026, wrap_up_closes=date(2027, 7, 15))
    with pytest.raises(ValidationError) as error:
        year.full_clean()
    assert error.value.message_dict["wrap_up_closes"] == [
        "The Wrap Up window must close within the school year 2026-27 (1 Jul 2026 – 30 Jun 2027)."
    ]


def test_window_opening_before_the_year_is_rejected(district):
    year = SchoolYear(district=district, start_year=2026, kick_off_opens=date(2026, 6, 1))
    with pytest.raises(ValidationError) as error:
        year.full_clean()
    assert (
        "must open within the school year 2026-27" in error.value.message_dict["kick_off_opens"][0]
    )


def test_window_closing_before_it_opens_is_rejected(district):
    year = SchoolYear(
        district=district,
        start_year=2026,
        spf_sharing_opens=date(2026, 11, 10),
        spf_sharing_closes=date(2026, 10, 20),
    )
    with pytest.raises(ValidationError) as error:
        year.full_clean()
    assert error.value.message_dict["spf_sharing_closes"] == [
        "The SPF sharing window cannot close before it opens."
    ]


def test_cpm_windows_may_not_overlap(district):
    year = SchoolYear(district=district, start_year=2026, check_in_opens=date(2026, 11, 15))
    with pytest.raises(ValidationError) as error:
        year.full_clean()
    assert error.value.message_dict["check_in_opens"] == [
        "The Check In window must open after the Kick Off window closes (30 Nov 2026)."
    ]


def test_essa_due_date_outside_the_year_is_rejected(district):
    year = SchoolYear(district=district, start_year=2026, essa_plan_due=date(2027, 8, 1))
    with pytest.raises(ValidationError) as error:
        year.full_clean()
    assert "ESSA action plan must be due within" in error.value.message_dict["essa_plan_due"][0]


def test_one_school_year_per_district_and_year(district):
    SchoolYearFactory(district=district, start_year=2026)
    with pytest.raises(ValidationError):
        SchoolYear(district=district, start_year=2026).full_clean()


def test_a_chosen_year_that_is_not_a_year_falls_back_to_the_current_one(district):
    """?year=² or a 30-digit year was a 500 (int() refuses "²"; the database refuses 10**29)."""
    year = SchoolYearFactory(district=district, start_year=2026)
    for chosen in ("²", "9" * 30, "-1", "twenty", "", None):
        assert SchoolYear.objects.chosen_or_current(district, chosen, date(2026, 11, 30)) == year
    assert SchoolYear.objects.chosen_or_current(district, "2026", date(2030, 1, 1)) == year
