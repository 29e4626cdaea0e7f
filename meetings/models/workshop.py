"""Workshops (seed 002): the district's collaborative problem-solving sessions, their capacity by
level, the ESSA priority window, and each school's one registration per series."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse

from schoolplan import clock
from schoolplan.models import District, Level, SchoolYear

from .engine import Meeting

SECONDARY_LEVELS = (Level.MIDDLE, Level.HIGH)  # DOMAIN: middle and high are "secondary"


class WorkshopLevel(models.TextChoices):
    ELEMENTARY = "elementary", "Elementary"
    SECONDARY = "secondary", "Secondary"


def workshop_level_of(school):
    return WorkshopLevel.SECONDARY if school.level in SECONDARY_LEVELS else WorkshopLevel.ELEMENTARY


class SeriesKind(models.TextChoices):
    """seed 002: the workshop completes steps 1–2 of the Collaborative Problem-Solving Process
    and starts step 3; the late-June district-facilitated meetings continue step 3 for schools
    that attended and start the process for those that did not."""

    WORKSHOP = "workshop", "Workshop (completes steps 1–2, starts step 3)"
    LATE_JUNE = "late_june", "Late-June district-facilitated meetings (continue step 3)"


class WorkshopSeries(models.Model):
    """A series of sessions with one registration window; capacity is counted in schools,
    per level across the series (e.g. 24 elementary, 11 secondary) or else per session."""

    district = models.ForeignKey(District, on_delete=models.CASCADE, related_name="workshops")
    school_year = models.ForeignKey(SchoolYear, on_delete=models.CASCADE, related_name="+")
    title = models.CharField(max_length=200)
    kind = models.CharField(
        "What it is",
        max_length=10,
        choices=SeriesKind,
        default=SeriesKind.WORKSHOP,
        help_text="Recording attendance moves each attending school's problem-solving step.",
    )
    description = models.TextField(blank=True)
    registration_opens = models.DateField("Registration opens")
    priority_closes = models.DateField(
        "ESSA priority window ends",
        help_text="Until this day only schools with an ESSA designation may register.",
    )
    registration_closes = models.DateField("Registration closes")
    elementary_capacity = models.PositiveSmallIntegerField(
        "Elementary schools (whole series)", null=True, blank=True
    )
    secondary_capacity = models.PositiveSmallIntegerField(
        "Secondary schools (whole series)", null=True, blank=True
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    permission_scope = {"district": "district_id"}

    class Meta:
        ordering = ["-registration_opens", "pk"]
        verbose_name_plural = "workshop series"

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("workshop_series", args=[self.pk])

    def clean(self):
        dates = (self.registration_opens, self.priority_closes, self.registration_closes)
        if all(dates) and not dates[0] <= dates[1] <= dates[2]:
            raise ValidationError(
                "The dates must come in order: registration opens, the ESSA priority window "
                "ends, registration closes."
            )

    def level_capacity(self, level):
        return {
            WorkshopLevel.ELEMENTARY: self.elementary_capacity,
            WorkshopLevel.SECONDARY: self.secondary_capacity,
        }[level]


class WorkshopSession(models.Model):
    """One 3-hour session: a meeting of the engine (date, time, place, attendance) in a series."""

    meeting = models.OneToOneField(Meeting, on_delete=models.CASCADE, related_name="workshop")
    series = models.ForeignKey(WorkshopSeries, on_delete=models.CASCADE, related_name="sessions")
    level = models.CharField(max_length=10, choices=WorkshopLevel)
    capacity = models.PositiveSmallIntegerField(
        "Schools in this session",
        null=True,
        blank=True,
        help_text="Used when the series sets no capacity for the level.",
    )

    permission_scope = {"district": "series__district_id"}

    class Meta:
        ordering = ["meeting__starts_at", "pk"]

    def __str__(self):
        return f"{self.series}: {self.meeting.local_date:%-d %b %Y} ({self.get_level_display()})"


class RegistrationStatus(models.TextChoices):
    REGISTERED = "registered", "Registered"
    WAITLISTED = "waitlisted", "Waitlisted"
    CANCELLED = "cancelled", "Cancelled"


class WorkshopRegistration(models.Model):
    """A school's one registration for a series (seed 002): its session, the team, the food."""

    series = models.ForeignKey(
        WorkshopSeries, on_delete=models.CASCADE, related_name="registrations"
    )
    school = models.ForeignKey(
        "schoolplan.School", on_delete=models.CASCADE, related_name="workshop_registrations"
    )
    session = models.ForeignKey(
        WorkshopSession, on_delete=models.PROTECT, related_name="registrations"
    )
    status = models.CharField(max_length=10, choices=RegistrationStatus)
    people = models.PositiveSmallIntegerField("People attending")
    dietary_notes = models.TextField("Dietary needs", blank=True)
    prework = models.TextField("Pre-work: 2–4 high-leverage actions from the SAMI", blank=True)
    prework_file = models.FileField(
        "Pre-work as a file", upload_to="workshop-prework/%Y/", blank=True
    )
    # seed 002: the pre-work is the 2–4 high-leverage actions marked in the school's SAMI; the
    # text or the file above stand in for a SAMI done on paper (meetings.prework).
    prework_actions = models.ManyToManyField(
        "meetings.SamiItem", blank=True, related_name="prework_for"
    )
    prework_version = models.PositiveIntegerField(default=1)
    prework_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    prework_at = models.DateTimeField(null=True, blank=True)
    # The school came: set when attendance is recorded (any named person present, or ticked for
    # a school that named nobody).
    attended = models.BooleanField(default=False)
    # The team and its attendance are edited by the school and by district staff: a save names
    # the version it started from (DOMAIN: nobody's words lost).
    team_version = models.PositiveIntegerField(default=1)
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)  # the waitlist's order
    promoted_at = models.DateTimeField(null=True, blank=True)

    permission_scope = {"district": "series__district_id", "school": "school_id"}

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["series", "school"],
                condition=~Q(status="cancelled"),
                name="one_workshop_registration_per_school",
            )
        ]

    def __str__(self):
        return f"{self.school} – {self.series} ({self.get_status_display()})"

    def get_absolute_url(self):
        return reverse("workshop_registration", args=[self.pk])

    def open_to_the_school(self, now=None):
        """seed 002: the school changes what it brings (its team, its pre-work) until the
        session starts, while the registration stands."""
        now = now or clock.now()
        return self.status != RegistrationStatus.CANCELLED and now < self.session.meeting.starts_at

    @property
    def prework_file_name(self):
        return self.prework_file.name.rsplit("/", 1)[-1] if self.prework_file else ""


class TeamMember(models.Model):
    """A person the school brings (seed 002: the team that did the SAMI; the district pays
    teachers' off-contract time, so it needs their names)."""

    registration = models.ForeignKey(
        WorkshopRegistration, on_delete=models.CASCADE, related_name="team"
    )
    name = models.CharField(max_length=200)
    role = models.CharField(max_length=100, blank=True)
    added_on_the_day = models.BooleanField(default=False)
    attended = models.BooleanField(default=False)

    permission_scope = {
        "district": "registration__series__district_id",
        "school": "registration__school_id",
    }

    class Meta:
        ordering = ["added_on_the_day", "pk"]

    def __str__(self):
        return f"{self.name} ({self.role})" if self.role else self.name
