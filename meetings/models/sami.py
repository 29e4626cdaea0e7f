"""The SAMI note catcher (seed 002): a school team's Self-Assessment of MTSS Implementation for
a school year, with its ESSA data review, the team that did it, and the 2–4 high-leverage
actions the team brings to the workshop as its pre-work.

Its items are kept and changed through the plan documents' mechanism (plans.documents: history,
refused stale saves); they live here, beside the workshops, because the workshop pre-work and
its reminder read them and apps depend downward (plans may link to them, meetings may not
import plans)."""

from django.conf import settings
from django.db import models
from django.urls import reverse

from schoolplan.models import School, SchoolYear, Versioned

# seed 002: "identify 2-4 high leverage actions from the SAMI note catcher".
HIGH_LEVERAGE_MIN, HIGH_LEVERAGE_MAX = 2, 4


class SamiRating(models.IntegerChoices):
    """Seed 002 names the SAMI but not its scale; this 0–3 implementation scale is the default."""

    NOT_STARTED = 0, "0 – Not started"
    EMERGING = 1, "1 – Emerging"
    PARTIAL = 2, "2 – Partially in place"
    IN_PLACE = 3, "3 – Fully in place"


class Sami(Versioned):
    """One per school and year. Its own version guards the ESSA data review notes; the marking
    of high-leverage actions has a version of its own, so neither refuses the other."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="samis")
    school_year = models.ForeignKey(SchoolYear, on_delete=models.CASCADE, related_name="+")
    essa_review = models.TextField(
        "ESSA data review notes",
        blank=True,
        help_text="The note catcher of the ESSA data review: what the school's data shows.",
    )
    high_leverage_version = models.PositiveIntegerField(default=1)
    high_leverage_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    high_leverage_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    permission_scope = {"district": "school__district_id", "school": "school_id"}

    class Meta:
        verbose_name = "SAMI note catcher"
        constraints = [
            models.UniqueConstraint(
                fields=["school", "school_year"], name="one_sami_per_school_year"
            )
        ]

    def __str__(self):
        return f"SAMI – {self.school} {self.school_year.name}"

    def get_absolute_url(self):
        return reverse("sami", args=[self.pk])

    @property
    def document(self):
        return self

    def high_leverage_actions(self):
        return self.items.filter(high_leverage=True)


SAMI_ITEM_SCOPE = {"district": "sami__school__district_id", "school": "sami__school_id"}


class SamiItem(Versioned):
    """An item of the SAMI the team rated, with its notes. Seed 002 lists no items: the school
    types each one as its SAMI names it."""

    sami = models.ForeignKey(Sami, on_delete=models.CASCADE, related_name="items")
    name = models.CharField("SAMI item", max_length=300)
    rating = models.PositiveSmallIntegerField("Rating", choices=SamiRating)
    notes = models.TextField("Notes", blank=True)
    # Marked through meetings.sami.mark_high_leverage only (2–4 at once), never one by one.
    high_leverage = models.BooleanField("High-leverage action", default=False)

    permission_scope = SAMI_ITEM_SCOPE

    class Meta:
        ordering = ["pk"]

    def __str__(self):
        return self.name

    @property
    def document(self):
        return self.sami


class SamiTeamMember(Versioned):
    """Who did the SAMI (seed 002: the workshop team is the team that did the SAMI)."""

    sami = models.ForeignKey(Sami, on_delete=models.CASCADE, related_name="team")
    name = models.CharField("Name", max_length=200)
    role = models.CharField("Role", max_length=200, help_text="e.g. principal, grade 3 teacher")

    permission_scope = SAMI_ITEM_SCOPE

    class Meta:
        ordering = ["pk"]

    def __str__(self):
        return f"{self.name} ({self.role})"

    @property
    def document(self):
        return self.sami
