import pytest
from django.core.exceptions import ValidationError

from schoolplan.models import CimStatus, EssaDesignation, Level

from ..factories import DistrictFactory, SchoolFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("status", "per_year", "intensive", "targeted"),
    [
        (CimStatus.NONE, 0, False, False),
        (CimStatus.TARGETED_1, 2, False, True),
        (CimStatus.TARGETED_3, 2, False, True),
        (CimStatus.INTENSIVE_1, 4, True, False),
        (CimStatus.INTENSIVE_3, 4, True, False),
    ],
)
def test_progress_report_cadence_follows_monitoring_level(status, per_year, intensive, targeted):
    district = DistrictFactory(cim_status=status)
    assert district.progress_reports_per_year == per_year
    assert district.is_intensive is intensive
    assert district.is_targeted is targeted


@pytest.mark.parametrize(
    ("level", "secondary"),
    [(Level.ELEMENTARY, False), (Level.MIDDLE, True), (Level.HIGH, True)],
)
def test_middle_and_high_schools_are_secondary(level, secondary):
    assert SchoolFactory(level=level).is_secondary is secondary


def test_essa_designation_flag():
    assert not SchoolFactory().has_essa_designation
    assert SchoolFactory(essa_designation=EssaDesignation.TARGETED).has_essa_designation


def test_family_languages_are_named():
    school = SchoolFactory(family_languages=["en", "es", "vi"])
    assert school.family_language_names == ["English", "Spanish", "Vietnamese"]


def test_unknown_family_language_is_rejected():
    school = SchoolFactory.build(district=DistrictFactory(), family_languages=["en", "xx"])
    with pytest.raises(ValidationError) as error:
        school.full_clean()
    assert error.value.message_dict["family_languages"] == ["Unknown language code(s): xx."]


def test_school_names_are_unique_within_a_district():
    first = SchoolFactory(name="Valdez Elementary")
    duplicate = SchoolFactory.build(district=first.district, name="Valdez Elementary")
    with pytest.raises(ValidationError):
        duplicate.full_clean()
    SchoolFactory(name="Valdez Elementary")  # another district may use the name


def test_public_slug_defaults_from_the_name():
    school = SchoolFactory.build(
        district=DistrictFactory(), name="Rosa Parks Middle", public_slug=""
    )
    school.full_clean()
    assert school.public_slug == "rosa-parks-middle"
