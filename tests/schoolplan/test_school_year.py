import pytest
from django.core.exceptions import ValidationError

from schoolplan.forms import posted_year
from schoolplan.models import CpmStage, SchoolYear

from ..clock import YEAR, on, year_name
from ..factories import SchoolYearFactory

pytestmark = pytest.mark.django_db


def test_defaults_follow_domain(district):
    year = SchoolYearFactory(district=district, start_year=YEAR)
    assert year.name == year_name() == f"{YEAR}-{(YEAR + 1) % 100:02d}"
    assert (year.starts_on, year.ends_on) == (on(7, 1), on(6, 30))
    kick_off, check_in, wrap_up = year.cpm_windows
    assert (kick_off.opens, kick_off.closes) == (on(8, 1), on(11, 30))
    assert (check_in.opens, check_in.closes) == (on(12, 1), on(3, 31))
    assert (wrap_up.opens, wrap_up.closes) == (on(4, 1), on(6, 30))
    spf = year.window("spf_sharing")
    assert (spf.opens, spf.closes) == (on(10, 20), on(11, 10))
    assert year.essa_plan_due == on(5, 15)


@pytest.mark.parametrize(
    ("day", "stage"),
    [
        (on(8, 1), CpmStage.KICK_OFF),
        (on(11, 30), CpmStage.KICK_OFF),
        (on(12, 1), CpmStage.CHECK_IN),
        (on(3, 31), CpmStage.CHECK_IN),
        (on(4, 1), CpmStage.WRAP_UP),
        (on(6, 30), CpmStage.WRAP_UP),
    ],
)
def test_window_edges_belong_to_their_window(district, day, stage):
    year = SchoolYearFactory(district=district)
    assert [w.key for w in year.cpm_windows if w.contains(day)] == [stage.value]


def test_july_is_in_no_cpm_window(district):
    year = SchoolYearFactory(district=district)
    assert not any(w.contains(on(7, 31)) for w in year.cpm_windows)


def test_start_year_containing():
    assert SchoolYear.start_year_containing(on(6, 30, start_year=YEAR - 1)) == YEAR - 1
    assert SchoolYear.start_year_containing(on(7, 1)) == YEAR
    assert SchoolYear.start_year_containing(on(1, 15)) == YEAR


def test_district_can_change_a_window(district):
    year = SchoolYearFactory(district=district, spf_sharing_opens=on(10, 1))
    year.full_clean()
    assert year.window("spf_sharing").opens == on(10, 1)


def test_window_outside_the_year_is_rejected_with_a_clear_message(district):
    year = SchoolYear(
        district=district, start_year=YEAR, wrap_up_closes=on(7, 15, start_year=YEAR + 1)
    )
    with pytest.raises(ValidationError) as error:
        year.full_clean()
    assert error.value.message_dict["wrap_up_closes"] == [
        f"The Wrap Up window must close within the school year {year_name()} "
        f"(1 Jul {YEAR} – 30 Jun {YEAR + 1})."
    ]


def test_window_opening_before_the_year_is_rejected(district):
    year = SchoolYear(
        district=district, start_year=YEAR, kick_off_opens=on(6, 1, start_year=YEAR - 1)
    )
    with pytest.raises(ValidationError) as error:
        year.full_clean()
    assert (
        f"must open within the school year {year_name()}"
        in error.value.message_dict["kick_off_opens"][0]
    )


def test_window_closing_before_it_opens_is_rejected(district):
    year = SchoolYear(
        district=district,
        start_year=YEAR,
        spf_sharing_opens=on(11, 10),
        spf_sharing_closes=on(10, 20),
    )
    with pytest.raises(ValidationError) as error:
        year.full_clean()
    assert error.value.message_dict["spf_sharing_closes"] == [
        "The SPF sharing window cannot close before it opens."
    ]


def test_cpm_windows_may_not_overlap(district):
    year = SchoolYear(district=district, start_year=YEAR, check_in_opens=on(11, 15))
    with pytest.raises(ValidationError) as error:
        year.full_clean()
    assert error.value.message_dict["check_in_opens"] == [
        f"The Check In window must open after the Kick Off window closes (30 Nov {YEAR})."
    ]


def test_essa_due_date_outside_the_year_is_rejected(district):
    year = SchoolYear(
        district=district, start_year=YEAR, essa_plan_due=on(8, 1, start_year=YEAR + 1)
    )
    with pytest.raises(ValidationError) as error:
        year.full_clean()
    assert "ESSA action plan must be due within" in error.value.message_dict["essa_plan_due"][0]


def test_one_school_year_per_district_and_year(district):
    SchoolYearFactory(district=district, start_year=YEAR)
    with pytest.raises(ValidationError):
        SchoolYear(district=district, start_year=YEAR).full_clean()


def test_a_chosen_year_that_is_not_a_year_falls_back_to_the_current_one(district):
    """?year=² or a 30-digit year was a 500 (int() refuses "²"; the database refuses 10**29)."""
    year = SchoolYearFactory(district=district, start_year=YEAR)
    for chosen in ("²", "9" * 30, "-1", "twenty", ""):
        assert posted_year({"year": chosen}) is None
        assert (
            SchoolYear.objects.chosen_or_current(
                district, posted_year({"year": chosen}), on(11, 30)
            )
            == year
        )
    assert posted_year({}) is None
    assert (
        SchoolYear.objects.chosen_or_current(
            district, posted_year({"year": str(YEAR)}), on(1, 1, start_year=YEAR + 3)
        )
        == year
    )
