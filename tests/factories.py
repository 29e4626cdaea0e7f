from datetime import date

import factory
from factory.django import DjangoModelFactory

from schoolplan import cim_levels
from schoolplan.models import (
    CimStatus,
    District,
    Level,
    Membership,
    Role,
    School,
    SchoolYear,
    User,
)

from .clock import YEAR

PASSWORD = "a-long-test-password-1"
# A factory-made district's CIM level is in force from the start of the year before the tests'.
ALL_ALONG = date(YEAR - 1, 7, 1)


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")
    password = factory.django.Password(PASSWORD)


class DistrictFactory(DjangoModelFactory):
    class Meta:
        model = District
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"District {n}")
    slug = factory.Sequence(lambda n: f"district-{n}")
    cpm_contact_email = factory.LazyAttribute(lambda d: f"cpm@{d.slug}.example.org")

    @factory.post_generation
    def cim_status(district, create, status, **kwargs):
        """DistrictFactory(cim_status=...): the status the district has held all along (since
        the year before the tests' year); Intensive 1 unless told."""
        if create:
            set_cim_status(district, CimStatus.INTENSIVE_1 if status is None else status)


def set_cim_status(district, status):
    """Make `status` the district's CIM level all along (a test's set-up, not a change made
    during a year: that is cim_levels.change_level)."""
    district.cim_levels.all().delete()
    if status != CimStatus.NONE:
        cim_levels.record_level(district, status, ALL_ALONG)
    cim_levels.forget(district)


class SchoolFactory(DjangoModelFactory):
    class Meta:
        model = School

    district = factory.SubFactory(DistrictFactory)
    name = factory.Sequence(lambda n: f"School {n}")
    level = Level.ELEMENTARY
    public_slug = factory.Sequence(lambda n: f"school-{n}")
    family_languages = factory.LazyFunction(lambda: ["en", "es"])


class SchoolYearFactory(DjangoModelFactory):
    class Meta:
        model = SchoolYear

    district = factory.SubFactory(DistrictFactory)
    start_year = YEAR


class MembershipFactory(DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    role = Role.PRINCIPAL
    school = factory.SubFactory(SchoolFactory)


def member(role, scope, user=None):
    """A user holding role in scope (a School or a District)."""
    user = user or UserFactory()
    field = "school" if isinstance(scope, School) else "district"
    Membership.objects.create(user=user, role=role, **{field: scope})
    return user
