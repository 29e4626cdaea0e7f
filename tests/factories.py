import factory
from factory.django import DjangoModelFactory

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

    name = factory.Sequence(lambda n: f"District {n}")
    slug = factory.Sequence(lambda n: f"district-{n}")
    cim_status = CimStatus.INTENSIVE_1
    cpm_contact_email = factory.LazyAttribute(lambda d: f"cpm@{d.slug}.example.org")


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
