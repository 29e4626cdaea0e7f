"""The permission table: every role against its own school/district and another district's.

Each row says what a role holds; the test checks the object check (`can`) and the queryset
filter (`visible_to` / `restrict`) agree with it, so lists and detail pages cannot disagree.
"""

import pytest
from django.contrib.auth.models import AnonymousUser

from schoolplan.models import CimStatus, District, Role, School, SchoolYear
from schoolplan.permissions import (
    CONTRIBUTE_CADRE,
    EDIT_SCHOOL_PLAN,
    KEEP_SCHOOL_RECORDS,
    MANAGE_DISTRICT,
    MANAGE_SCHOOL,
    REVIEW_SCHOOL_PLAN,
    SUBMIT_SCHOOL_PLAN,
    VIEW_CADRE,
    VIEW_DISTRICT,
    VIEW_SCHOOL,
    can,
    restrict,
)

from ..factories import (
    DistrictFactory,
    SchoolFactory,
    SchoolYearFactory,
    UserFactory,
    member,
    set_cim_status,
)

pytestmark = pytest.mark.django_db

# role: abilities held on its own school / district (never on another district's).
TABLE = {
    Role.DISTRICT_STAFF: {
        VIEW_DISTRICT,
        MANAGE_DISTRICT,
        VIEW_SCHOOL,
        MANAGE_SCHOOL,
        KEEP_SCHOOL_RECORDS,
        REVIEW_SCHOOL_PLAN,
        VIEW_CADRE,
    },
    Role.CIM_LEAD: {VIEW_DISTRICT, VIEW_SCHOOL},
    Role.CIM_MEMBER: {VIEW_DISTRICT, VIEW_SCHOOL},
    Role.TA_PROVIDER: {VIEW_DISTRICT},
    Role.PRINCIPAL: {
        VIEW_SCHOOL,
        MANAGE_SCHOOL,
        KEEP_SCHOOL_RECORDS,
        EDIT_SCHOOL_PLAN,
        SUBMIT_SCHOOL_PLAN,
        VIEW_CADRE,
        CONTRIBUTE_CADRE,
    },
    Role.SCHOOL_STAFF: {
        VIEW_SCHOOL,
        KEEP_SCHOOL_RECORDS,
        EDIT_SCHOOL_PLAN,
        VIEW_CADRE,
        CONTRIBUTE_CADRE,
    },
    # seed 004: cadre members reach the cadre's work and nothing else of the school.
    Role.CADRE_MEMBER: {VIEW_CADRE, CONTRIBUTE_CADRE},
}
ALL = [
    VIEW_DISTRICT,
    MANAGE_DISTRICT,
    VIEW_SCHOOL,
    MANAGE_SCHOOL,
    KEEP_SCHOOL_RECORDS,
    EDIT_SCHOOL_PLAN,
    SUBMIT_SCHOOL_PLAN,
    REVIEW_SCHOOL_PLAN,
    VIEW_CADRE,
    CONTRIBUTE_CADRE,
]


@pytest.fixture
def world():
    home = DistrictFactory(cim_status=CimStatus.INTENSIVE_2)
    away = DistrictFactory(cim_status=CimStatus.INTENSIVE_2)
    return {
        "home": home,
        "away": away,
        "school": SchoolFactory(district=home),
        "sibling": SchoolFactory(district=home),
        "away_school": SchoolFactory(district=away),
        "year": SchoolYearFactory(district=home),
        "away_year": SchoolYearFactory(district=away),
    }


def holder(role, world):
    scope = (
        world["school"]
        if role in (Role.PRINCIPAL, Role.SCHOOL_STAFF, Role.CADRE_MEMBER)
        else world["home"]
    )
    return member(role, scope)


@pytest.mark.parametrize("role", list(TABLE))
@pytest.mark.parametrize("ability", ALL, ids=lambda a: a.name)
def test_role_on_own_objects(role, ability, world):
    user = holder(role, world)
    expected = ability in TABLE[role]
    target = world["home"] if ability in (VIEW_DISTRICT, MANAGE_DISTRICT) else world["school"]
    assert can(user, ability, target) is expected
    assert (
        restrict(type(target).objects.all(), user, ability).filter(pk=target.pk).exists()
        is expected
    )


@pytest.mark.parametrize("role", list(TABLE))
@pytest.mark.parametrize("ability", ALL, ids=lambda a: a.name)
def test_role_never_reaches_another_district(role, ability, world):
    user = holder(role, world)
    assert not can(user, ability, world["away"])
    assert not can(user, ability, world["away_school"])
    assert not restrict(School.objects.all(), user, ability).filter(district=world["away"]).exists()
    assert not restrict(District.objects.all(), user, ability).filter(pk=world["away"].pk).exists()


@pytest.mark.parametrize("role", [Role.PRINCIPAL, Role.SCHOOL_STAFF])
def test_school_roles_do_not_reach_a_sibling_school(role, world):
    user = holder(role, world)
    assert list(School.objects.visible_to(user)) == [world["school"]]
    assert not can(user, VIEW_SCHOOL, world["sibling"])


def test_cadre_member_sees_no_school(world):
    user = holder(Role.CADRE_MEMBER, world)
    assert not School.objects.visible_to(user).exists()
    assert can(user, VIEW_CADRE, world["school"])
    assert not can(user, VIEW_CADRE, world["sibling"])


def test_district_staff_see_every_school_of_their_district(world):
    user = holder(Role.DISTRICT_STAFF, world)
    assert set(School.objects.visible_to(user)) == {world["school"], world["sibling"]}
    assert list(SchoolYear.objects.visible_to(user)) == [world["year"]]


def test_ta_provider_loses_access_when_district_leaves_intensive(world):
    user = holder(Role.TA_PROVIDER, world)
    assert can(user, VIEW_DISTRICT, world["home"])
    set_cim_status(world["home"], CimStatus.TARGETED_1)
    user.refresh_from_db()
    user = type(user).objects.get(pk=user.pk)  # a new request: a new scope
    assert not can(user, VIEW_DISTRICT, world["home"])


def test_anonymous_sees_nothing(world):
    anonymous = AnonymousUser()
    for ability in ALL:
        assert not restrict(School.objects.all(), anonymous, ability).exists()
        assert not can(anonymous, ability, world["school"])


def test_inactive_user_sees_nothing(world):
    user = holder(Role.DISTRICT_STAFF, world)
    user.is_active = False
    assert not School.objects.visible_to(user).exists()


def test_superuser_sees_all(world):
    admin = UserFactory(is_superuser=True, is_staff=True)
    assert School.objects.visible_to(admin).count() == 3
    assert can(admin, MANAGE_DISTRICT, world["away"])


def test_several_roles_add_up(world):
    user = holder(Role.PRINCIPAL, world)
    member(Role.CIM_MEMBER, world["home"], user=user)
    assert can(user, VIEW_DISTRICT, world["home"])
    assert can(user, MANAGE_SCHOOL, world["school"])
    assert not can(user, MANAGE_SCHOOL, world["sibling"])
