"""Class Attainment & Progress (seed 003): what the CAP type adds to the meeting engine."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import FileExtensionValidator
from django.db import models
from django.urls import reverse

from schoolplan.models import School, SchoolYear

from .engine import Meeting
from .record import ActionItem

ASSESSMENT_FILE_TYPES = ["csv", "xlsx", "xls", "pdf", "docx", "ods", "txt"]
MAX_ASSESSMENT_FILE_BYTES = 5 * 1024 * 1024


class AssessmentPoint(models.Model):
    """A summative assessment point; CAP meetings follow shortly after each."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="assessment_points")
    school_year = models.ForeignKey(SchoolYear, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(max_length=100, help_text="e.g. Autumn summative")
    date = models.DateField()
    # Copied from the year before when the district started this year; the principal confirms.
    carried_over_from = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    confirmed = models.BooleanField(default=True)

    permission_scope = {"district": "school__district_id", "school": "school_id"}

    class Meta:
        ordering = ["date", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["school", "school_year", "name"], name="assessment_point_name_unique"
            )
        ]

    def __str__(self):
        return f"{self.name} ({self.date:%-d %b %Y})"

    def clean(self):
        if (
            self.school_year_id
            and self.date
            and not (self.school_year.starts_on <= self.date <= self.school_year.ends_on)
        ):
            raise ValidationError(
                {"date": f"The date must fall in the school year {self.school_year.name}."}
            )


class SchoolClass(models.Model):
    """A class and its team: the teacher and any co-leaders."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="classes")
    school_year = models.ForeignKey(SchoolYear, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(max_length=100, help_text="e.g. 3B or Algebra 1, period 2")
    grade = models.CharField("Year group / grade", max_length=40)
    teacher = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="classes_taught"
    )
    co_leaders = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="classes_co_led"
    )
    # Copied from the year before when the district started this year; the principal confirms.
    carried_over_from = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    confirmed = models.BooleanField(default=True)
    # The class's id in the district's SIS, kept by the roster import (issue 21).
    sourced_id = models.CharField("roster sourcedId", max_length=255, blank=True)

    # The team may read the class's pupil-level notes (see schoolplan.permissions.CLASS_TEAM).
    permission_scope = {
        "district": "school__district_id",
        "school": "school_id",
        "team": ("teacher", "co_leaders"),
    }

    class Meta:
        ordering = ["grade", "name"]
        verbose_name_plural = "classes"
        constraints = [
            models.UniqueConstraint(
                fields=["school", "school_year", "name"], name="class_name_unique_in_year"
            ),
            models.UniqueConstraint(
                fields=["school_year", "sourced_id"],
                condition=~models.Q(sourced_id=""),
                name="class_sourced_id_unique_in_year",
            ),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("class_record", args=[self.pk])


def assessment_upload_to(cap, filename):
    return f"cap/{cap.meeting.school_id}/{cap.meeting_id}/{filename}"


class CapMeeting(models.Model):
    """The CAP side of a meeting: its class, assessment point and pre-meeting analysis."""

    meeting = models.OneToOneField(
        Meeting, on_delete=models.CASCADE, primary_key=True, related_name="cap"
    )
    school_class = models.ForeignKey(
        SchoolClass, on_delete=models.PROTECT, related_name="cap_meetings"
    )
    assessment_point = models.ForeignKey(
        AssessmentPoint, on_delete=models.PROTECT, related_name="cap_meetings"
    )
    # seed 003: the analysis names the class's strengths and areas of focus for the next period.
    strengths = models.TextField(blank=True)
    areas_of_focus = models.TextField("Areas of focus for the next period", blank=True)
    assessment_file = models.FileField(
        "Assessment data",
        upload_to=assessment_upload_to,
        blank=True,
        validators=[FileExtensionValidator(ASSESSMENT_FILE_TYPES)],
    )
    analysis_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    analysis_updated_at = models.DateTimeField(null=True, blank=True)

    permission_scope = {
        "district": "meeting__district_id",
        "school": "meeting__school_id",
        "team": ("school_class__teacher", "school_class__co_leaders"),
    }

    class Meta:
        ordering = ["meeting__starts_at"]

    def __str__(self):
        return f"CAP {self.school_class} after {self.assessment_point.name}"

    @property
    def has_analysis(self):
        return bool(self.strengths.strip() and self.areas_of_focus.strip())


class ClassNote(models.Model):
    """A note from a CAP meeting's discussion of groups and pupils (seed 003). Both kinds can
    identify children ("the three boys in set 2"), so both are student records: the class team
    and the school's leaders only (schoolplan.permissions.CLASS_TEAM)."""

    note = models.TextField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    permission_scope = {
        "district": "cap__meeting__district_id",
        "school": "cap__meeting__school_id",
        "team": ("cap__school_class__teacher", "cap__school_class__co_leaders"),
    }

    class Meta:
        abstract = True


class GroupNote(ClassNote):
    """A note on a group of the class: a student record like a pupil note."""

    cap = models.ForeignKey(CapMeeting, on_delete=models.CASCADE, related_name="group_notes")
    group = models.CharField(max_length=100, help_text="e.g. Guided reading group 2")

    class Meta:
        ordering = ["group", "created_at"]

    def __str__(self):
        return self.group


class PupilNote(ClassNote):
    """A note on one pupil: a student record, for the class team and the school's leaders only."""

    cap = models.ForeignKey(CapMeeting, on_delete=models.CASCADE, related_name="pupil_notes")
    pupil = models.CharField(
        max_length=20, help_text="The school's pupil identifier or initials, never a full name."
    )

    class Meta:
        ordering = ["pupil", "created_at"]

    def __str__(self):
        return self.pupil


class ReviewOutcome(models.TextChoices):
    DONE = "done", "Done"
    PARTLY = "partly", "Partly done"
    NOT_DONE = "not_done", "Not done"


class ActionReview(models.Model):
    """seed 003: each CAP meeting starts by reviewing the previous meeting's agreed actions."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="action_reviews")
    action_item = models.ForeignKey(ActionItem, on_delete=models.CASCADE, related_name="reviews")
    outcome = models.CharField(max_length=10, choices=ReviewOutcome)
    impact = models.TextField("Impact observed", blank=True)
    next_step = models.TextField(blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    reviewed_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["action_item__pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "action_item"], name="one_review_per_action_per_meeting"
            )
        ]

    def __str__(self):
        return f"{self.action_item}: {self.get_outcome_display()}"
