import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from schoolplan.models import CadreGroup, CimStatus, Membership, Role

from ..factories import DistrictFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("role", [Role.PRINCIPAL, Role.SCHOOL_STAFF, Role.CADRE_MEMBER])
def test_school_roles_need_a_school(role, district):
    membership = Membership(user=UserFactory(), role=role, district=district)
    with pytest.raises(ValidationError) as error:
        membership.full_clean()
    assert "belongs to a school: choose one" in error.value.message_dict["school"][0]


@pytest.mark.parametrize("role", [Role.DISTRICT_STAFF, Role.CIM_LEAD, Role.CIM_MEMBER])
def test_district_roles_need_a_district_not_a_school(role, school):
    membership = Membership(user=UserFactory(), role=role, school=school)
    with pytest.raises(ValidationError) as error:
        membership.full_clean()
    assert "belongs to a district: choose one" in error.value.message_dict["district"][0]


def test_database_refuses_a_membership_with_both_scopes(school):
    with pytest.raises(IntegrityError), transaction.atomic():
        Membership.objects.create(
            user=UserFactory(), role=Role.PRINCIPAL, school=school, district=school.district
        )


def test_database_refuses_a_district_role_on_a_school(school):
    with pytest.raises(IntegrityError), transaction.atomic():
        Membership.objects.create(user=UserFactory(), role=Role.DISTRICT_STAFF, school=school)


def test_ta_provider_only_for_intensive_districts():
    targeted = DistrictFactory(cim_status=CimStatus.TARGETED_2)
    membership = Membership(user=UserFactory(), role=Role.TA_PROVIDER, district=targeted)
    with pytest.raises(ValidationError) as error:
        membership.full_clean()
    assert "only Intensive districts have a TA provider" in error.value.message_dict["district"][0]
    intensive = DistrictFactory(cim_status=CimStatus.INTENSIVE_3)
    Membership(user=UserFactory(), role=Role.TA_PROVIDER, district=intensive).full_clean()


def test_cadre_group_only_for_cadre_members(school):
    membership = Membership(
        user=UserFactory(), role=Role.SCHOOL_STAFF, school=school, cadre_group=CadreGroup.PARENT
    )
    with pytest.raises(ValidationError):
        membership.full_clean()
    Membership(
        user=UserFactory(), role=Role.CADRE_MEMBER, school=school, cadre_group=CadreGroup.PARENT
    ).full_clean()


def test_same_role_twice_in_one_scope_is_refused(school):
    user = UserFactory()
    Membership.objects.create(user=user, role=Role.PRINCIPAL, school=school)
    with pytest.raises(IntegrityError), transaction.atomic():
        Membership.objects.create(user=user, role=Role.PRINCIPAL, school=school)


def test_a_person_may_hold_several_roles(school):
    user = UserFactory()
    Membership.objects.create(user=user, role=Role.PRINCIPAL, school=school)
    Membership.objects.create(user=user, role=Role.CIM_MEMBER, district=school.district)
    assert user.memberships.count() == 2
