"""Who holds which role where: a person's membership of a district (district staff, the CIM team,
TA providers) or of a school (principal, staff, the family cadre)."""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q

from .organisation import District, School, User


class Role(models.TextChoices):
    DISTRICT_STAFF = "district_staff", "District staff"
    CIM_LEAD = "cim_lead", "CIM team lead"
    CIM_MEMBER = "cim_member", "CIM team member"
    TA_PROVIDER = "ta_provider", "TA provider"
    PRINCIPAL = "principal", "Principal"
    SCHOOL_STAFF = "school_staff", "School staff / teacher"
    CADRE_MEMBER = "cadre_member", "Cadre member"


DISTRICT_ROLES = frozenset({Role.DISTRICT_STAFF, Role.CIM_LEAD, Role.CIM_MEMBER, Role.TA_PROVIDER})


SCHOOL_ROLES = frozenset({Role.PRINCIPAL, Role.SCHOOL_STAFF, Role.CADRE_MEMBER})


class CadreGroup(models.TextChoices):
    """Who makes up a Parent (Family) and Community Cadre (seed 004)."""

    PARENT = "parent", "Parent / family member"
    COMMUNITY = "community", "Community member"
    STUDENT = "student", "Student"
    TEACHER = "teacher", "Teacher"
    ADMINISTRATOR = "administrator", "Administrator"
    # seed 004 steps 1 and 3: the model is shared with union leaders and the School Governance
    # Council, whose representatives may sit on the cadre.
    GOVERNANCE_COUNCIL = "governance_council", "School Governance Council"
    UNION = "union", "Union representative"


class CurrentMembershipManager(models.Manager):
    """Memberships in force. An ended one is kept for the record (the roster import ends, never
    deletes) and grants nothing: permissions, lists and e-mails all start here."""

    def get_queryset(self):
        return super().get_queryset().filter(ended_on__isnull=True)


class Membership(models.Model):
    """A person's role, scoped to one district or one school."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=20, choices=Role)
    district = models.ForeignKey(
        District, null=True, blank=True, on_delete=models.CASCADE, related_name="memberships"
    )
    school = models.ForeignKey(
        School, null=True, blank=True, on_delete=models.CASCADE, related_name="memberships"
    )
    cadre_group = models.CharField(
        max_length=20,
        choices=CadreGroup,
        blank=True,
        help_text="For cadre members: whom they represent.",
    )
    ended_on = models.DateField(
        null=True,
        blank=True,
        help_text="The day the role ended (in the district's zone); empty while it lasts.",
    )

    all_objects = models.Manager()
    objects = CurrentMembershipManager()

    class Meta:
        ordering = ["user", "role"]
        default_manager_name = "objects"  # related managers (user.memberships) use it too
        constraints = [
            models.CheckConstraint(
                name="membership_scope_matches_role",
                condition=(
                    Q(role__in=DISTRICT_ROLES, district__isnull=False, school__isnull=True)
                    | Q(role__in=SCHOOL_ROLES, school__isnull=False, district__isnull=True)
                ),
            ),
            models.UniqueConstraint(
                fields=["user", "role", "district"],
                condition=Q(school__isnull=True, ended_on__isnull=True),
                name="one_district_membership_per_role",
            ),
            models.UniqueConstraint(
                fields=["user", "role", "school"],
                condition=Q(district__isnull=True, ended_on__isnull=True),
                name="one_school_membership_per_role",
            ),
        ]

    def __str__(self):
        return f"{self.user} – {self.get_role_display()}, {self.scope}"

    @property
    def scope(self):
        return self.school or self.district

    def clean(self):
        role = self.get_role_display()
        if self.role in SCHOOL_ROLES:
            if self.school_id is None:
                raise ValidationError(
                    {"school": f"A {role.lower()} belongs to a school: choose one."}
                )
            if self.district_id is not None:
                raise ValidationError(
                    {"district": f"A {role.lower()} belongs to a school, not to a whole district."}
                )
        elif self.role in DISTRICT_ROLES:
            if self.district_id is None:
                raise ValidationError(
                    {"district": f"A {role.lower()} belongs to a district: choose one."}
                )
            if self.school_id is not None:
                raise ValidationError(
                    {"school": f"A {role.lower()} works for a whole district, not one school."}
                )
            # seed 001: only Intensive LEAs are assigned a Technical Assistance provider.
            if self.role == Role.TA_PROVIDER and not self.district.is_intensive:
                raise ValidationError(
                    {
                        "district": f"{self.district} is not in Intensive monitoring "
                        f"({self.district.get_cim_status_display()}); only Intensive "
                        "districts have a TA provider."
                    }
                )
        if self.cadre_group and self.role != Role.CADRE_MEMBER:
            raise ValidationError({"cadre_group": "Only cadre members represent a cadre group."})
