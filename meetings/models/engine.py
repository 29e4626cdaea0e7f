"""The meeting engine: one set of models serves every meeting type.

A type (CPM, CAP, CIM review, cadre, workshop, Title I parent meeting, SPF meeting) adds its rules
beside the engine (`meetings/cpm.py` for CPM), never a copy of it.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse

from schoolplan import clock
from schoolplan.models import (
    FAMILY_LANGUAGE_NAMES,
    CpmStage,
    District,
    School,
    SchoolYear,
)
from schoolplan.text import fit


class MeetingType(models.TextChoices):
    CPM = "cpm", "Community Progress Monitoring (CPM)"
    CAP = "cap", "Class Attainment & Progress (CAP)"
    CIM_REVIEW = "cim_review", "CIM monthly review"
    CADRE = "cadre", "Cadre meeting"
    WORKSHOP = "workshop", "Workshop"
    TITLE_I_PARENT = "title_i_parent", "Title I annual parent meeting"
    SPF = "spf", "SPF meeting"


STAFF_ONLY_TYPES = (MeetingType.CAP,)
DISTRICT_TEAM_TYPES = (MeetingType.CIM_REVIEW,)
# The community meetings families are invited to: the families' page lists them (progress).
FAMILY_MEETING_TYPES = (
    MeetingType.CPM,
    MeetingType.CADRE,
    MeetingType.TITLE_I_PARENT,
    MeetingType.SPF,
)


class HostKind(models.TextChoices):
    SCHOOL = "school", "School"
    DISTRICT = "district", "District"
    CADRE = "cadre", "Cadre"


class MeetingStatus(models.TextChoices):
    PLANNED = "planned", "Planned"
    HELD = "held", "Held"
    CANCELLED = "cancelled", "Cancelled"


class MeetingQuerySet(models.QuerySet):
    def visible_to(self, user):
        from schoolplan.permissions import (
            KEEP_SCHOOL_RECORDS,
            VIEW_CADRE,
            VIEW_DISTRICT,
            VIEW_SCHOOL,
            restrict,
        )

        # seed 003: CAP meetings discuss classes and pupils; they are for school staff only.
        # seed 001: CIM reviews are the district team's, read by its TA provider too.
        staff_only = self.filter(meeting_type__in=STAFF_ONLY_TYPES)
        cim = self.filter(meeting_type__in=DISTRICT_TEAM_TYPES)
        # seed 004: the cadre's own meetings are open to its members too.
        cadre = self.filter(meeting_type=MeetingType.CADRE)
        community = self.exclude(
            meeting_type__in=(*STAFF_ONLY_TYPES, *DISTRICT_TEAM_TYPES, MeetingType.CADRE)
        )
        return (
            restrict(community, user, VIEW_SCHOOL)
            | restrict(staff_only, user, KEEP_SCHOOL_RECORDS)
            | restrict(cim, user, VIEW_DISTRICT)
            | restrict(cadre, user, VIEW_CADRE)
        )

    def not_cancelled(self):
        return self.exclude(status=MeetingStatus.CANCELLED)

    def cpm(self):
        return self.filter(meeting_type=MeetingType.CPM)


class Meeting(models.Model):
    district = models.ForeignKey(District, on_delete=models.CASCADE, related_name="meetings")
    school = models.ForeignKey(
        School, null=True, blank=True, on_delete=models.CASCADE, related_name="meetings"
    )
    host_kind = models.CharField(max_length=10, choices=HostKind, default=HostKind.SCHOOL)
    school_year = models.ForeignKey(SchoolYear, on_delete=models.PROTECT, related_name="meetings")
    meeting_type = models.CharField(max_length=20, choices=MeetingType)
    cpm_stage = models.CharField("CPM meeting", max_length=10, choices=CpmStage, blank=True)
    # seed 000: a Title I school may let its Kick Off count as these two meetings as well.
    counts_as_title_i_meeting = models.BooleanField(
        "Also the Title I annual parent meeting", default=False
    )
    counts_as_spf_meeting = models.BooleanField("Also the SPF meeting", default=False)
    title = models.CharField(max_length=200)
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    place = models.CharField(max_length=200, blank=True)
    # For a community meeting: a few words for families about what it is for (the families'
    # page, the flyer, the calendar file), translated like its title (issue 22).
    description = models.TextField(
        "For families", max_length=1000, blank=True, help_text="What families will hear and do."
    )
    video_link = models.URLField(blank=True)
    languages_offered = models.JSONField(
        "Interpretation offered in",
        default=list,
        blank=True,
        help_text="Languages interpreters will be there for.",
    )
    status = models.CharField(max_length=10, choices=MeetingStatus, default=MeetingStatus.PLANNED)
    cancellation_reason = models.TextField(blank=True)
    # DOMAIN.md, "Recorded, not scheduled": entered with its date already past (a CIM review
    # dated in an earlier month), it is a record of something held, marked so for compliance.
    recorded_late_at = models.DateTimeField(null=True, blank=True)
    recorded_late_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    family_attendees = models.PositiveIntegerField(
        "Family members attending (without accounts)", default=0
    )
    community_attendees = models.PositiveIntegerField(
        "Community members attending (without accounts)", default=0
    )
    # Bumped on every change a calendar must see (RFC 5545 SEQUENCE); also keys the notices.
    sequence = models.PositiveIntegerField(default=0)
    # Who came, recorded by several people at once (a CIM review): a save names the version it
    # started from, and a stale one is refused (0: nobody has recorded attendance yet).
    attendance_version = models.PositiveIntegerField(default=0)
    attendance_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    attendance_recorded_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = MeetingQuerySet.as_manager()

    permission_scope = {"district": "district_id", "school": "school_id"}

    class Meta:
        ordering = ["starts_at"]
        indexes = [models.Index(fields=["school", "school_year", "meeting_type"])]
        constraints = [
            models.CheckConstraint(
                name="meeting_ends_after_it_starts",
                condition=models.Q(ends_at__gt=models.F("starts_at")),
            ),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("meeting_detail", args=[self.pk])

    @property
    def host(self):
        return self.school if self.school_id else self.district

    @property
    def is_planned(self):
        return self.status == MeetingStatus.PLANNED

    @property
    def is_held(self):
        return self.status == MeetingStatus.HELD

    @property
    def is_cancelled(self):
        return self.status == MeetingStatus.CANCELLED

    @property
    def local_date(self):
        """The day it falls on where its host is: the day every date rule reads (a window,
        a month of reviews) whatever zone the reader or the server is in."""
        return clock.local_date(self.starts_at, self.district)

    @property
    def combined_requirements(self):
        """The requirements this one meeting satisfies (seed 000: combined meetings)."""
        met = []
        if self.meeting_type == MeetingType.CPM and self.cpm_stage:
            met.append(f"{CpmStage(self.cpm_stage).label} CPM")
        elif self.meeting_type != MeetingType.CPM:
            met.append(self.get_meeting_type_display())
        if self.counts_as_title_i_meeting:
            met.append(MeetingType.TITLE_I_PARENT.label)
        if self.counts_as_spf_meeting:
            met.append(MeetingType.SPF.label)
        return met

    @property
    def is_combined(self):
        return len(self.combined_requirements) > 1

    @property
    def is_for_families(self):
        return self.meeting_type in FAMILY_MEETING_TYPES

    @property
    def language_names(self):
        return [str(FAMILY_LANGUAGE_NAMES.get(code, code)) for code in self.languages_offered]

    @property
    def agenda_minutes(self):
        return sum(item.duration_minutes or 0 for item in self.agenda_items.all())

    @property
    def scheduled_minutes(self):
        return int((self.ends_at - self.starts_at).total_seconds() // 60)

    @property
    def agenda_too_long(self):
        # seed 000: in a long (combined) meeting the audience may not get through every subject.
        return self.agenda_minutes > self.scheduled_minutes

    def clean(self):
        if self.starts_at and self.ends_at and self.ends_at <= self.starts_at:
            raise ValidationError({"ends_at": "The meeting must end after it starts."})
        if self.counts_as_title_i_meeting and self.school_id and not self.school.title_i:
            raise ValidationError(
                {
                    "counts_as_title_i_meeting": f"{self.school} is not a Title I school, so it "
                    "holds no Title I annual parent meeting."
                }
            )
        if not self.place and not self.video_link and self.status != MeetingStatus.CANCELLED:
            raise ValidationError("Give a place, a video link, or both.")


class AgendaItemQuerySet(models.QuerySet):
    def add_to(self, meeting, items):
        """Give meeting an agenda from (title, minutes) pairs, numbered from 1."""
        return self.bulk_create(
            AgendaItem(
                meeting=meeting,
                position=n,
                title=fit(AgendaItem, "title", title),  # built from goals and names
                duration_minutes=minutes,
            )
            for n, (title, minutes) in enumerate(items, start=1)
        )


class AgendaItem(models.Model):
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="agenda_items")
    position = models.PositiveSmallIntegerField(default=0)
    title = models.CharField(max_length=300)
    presenter = models.CharField(max_length=200, blank=True)
    duration_minutes = models.PositiveSmallIntegerField("Minutes", null=True, blank=True)

    objects = AgendaItemQuerySet.as_manager()

    class Meta:
        ordering = ["position", "pk"]

    def __str__(self):
        return self.title


class Invitation(models.Model):
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="invitations")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="invitations"
    )
    invited_at = models.DateTimeField(auto_now_add=True)
    attended = models.BooleanField(default=False)

    class Meta:
        ordering = ["user__last_name", "user__first_name"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "user"], name="one_invitation_per_person")
        ]

    def __str__(self):
        return f"{self.user} → {self.meeting}"
