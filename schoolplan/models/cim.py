from django.core.exceptions import ValidationError
from django.db import models

from .membership import Role
from .organisation import District, User
from .school_year import SchoolYear


class CimTeam(models.Model):
    """A district's CIM team for one school year (seed 001): members, a lead, a TA provider.

    Access follows the members' roles (Membership); the team records who served that year.
    """

    district = models.ForeignKey(District, on_delete=models.CASCADE, related_name="cim_teams")
    school_year = models.ForeignKey(SchoolYear, on_delete=models.CASCADE, related_name="+")
    lead = models.ForeignKey(User, on_delete=models.PROTECT, related_name="cim_teams_led")
    members = models.ManyToManyField(User, blank=True, related_name="cim_teams")
    ta_provider = models.ForeignKey(
        User,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="cim_teams_supported",
        verbose_name="TA provider",
    )

    permission_scope = {"district": "district_id"}

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["district", "school_year"], name="one_cim_team_per_district_year"
            )
        ]

    def __str__(self):
        return f"CIM team {self.district} {self.school_year.name}"

    def clean(self):
        if not self.district_id or not self.lead_id:
            return
        roles = set(
            self.lead.memberships.filter(district=self.district).values_list("role", flat=True)
        )
        if Role.CIM_LEAD not in roles:
            raise ValidationError(
                {"lead": f"{self.lead} is not a CIM team lead of {self.district}."}
            )
        if self.ta_provider_id:
            # seed 001: only Intensive LEAs are assigned a Technical Assistance provider.
            if not self.district.is_intensive:
                raise ValidationError(
                    {"ta_provider": "Only districts in Intensive monitoring have a TA provider."}
                )
            if not self.ta_provider.memberships.filter(
                district=self.district, role=Role.TA_PROVIDER
            ).exists():
                raise ValidationError(
                    {"ta_provider": f"{self.ta_provider} is not a TA provider of {self.district}."}
                )

    @property
    def people(self):
        """Everyone on the team, lead first."""
        others = [m for m in self.members.all() if m.pk != self.lead_id]
        return [self.lead, *others]
