from django.conf import settings
from django.db import models

from .organisation import CimStatus, District
from .school_year import SchoolYear


class CimLevel(models.Model):
    """A district's CIM monitoring status from a day on (seed 001; DOMAIN.md "CIM level per
    year"): assigned for a school year, it may change during it. The status in force on a day is
    that of the latest level effective on or before it (schoolplan/cim_levels.py), so a new
    school year starts with the status in force at the end of the old one.

    Its school year is the one containing `effective_on` (July to June): derived, so the two can
    never disagree, and a level can be on record for a year not set up yet (a new district's)."""

    district = models.ForeignKey(District, on_delete=models.CASCADE, related_name="cim_levels")
    status = models.CharField("CIM monitoring status", max_length=20, choices=CimStatus)
    effective_on = models.DateField("in force from")
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="Empty: on record from before levels were kept per year, or set up.",
    )
    set_at = models.DateTimeField()
    note = models.CharField(
        max_length=300, blank=True, help_text="Where the status comes from, e.g. the CDE letter."
    )

    permission_scope = {"district": "district_id"}

    class Meta:
        ordering = ["district", "effective_on"]
        constraints = [
            models.UniqueConstraint(
                fields=["district", "effective_on"], name="one_cim_level_per_district_and_day"
            )
        ]

    def __str__(self):
        return f"{self.district}: {self.get_status_display()} from {self.effective_on:%-d %b %Y}"

    @property
    def start_year(self):
        return SchoolYear.start_year_containing(self.effective_on)
