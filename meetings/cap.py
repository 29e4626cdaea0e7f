"""Class Attainment & Progress meetings (seed 003): the rules and actions the CAP type adds.

A CAP meeting belongs to one class and follows one summative assessment point, no more than
2–3 times a year; the teacher analyses the class first (strengths, areas of focus); the meeting
opens by reviewing the previous meeting's agreed actions, and agrees new ones that favour
teaching approaches and the curriculum.
"""

import csv
import io

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.dateformat import format as format_date

from schoolplan import clock
from schoolplan.models import Role
from schoolplan.permissions import CLASS_TEAM, restrict
from schoolplan.text import fit

from . import recording, services
from .models import (
    MAX_ASSESSMENT_FILE_BYTES,
    ActionCategory,
    ActionItem,
    ActionItemUpdate,
    ActionReview,
    ActionStatus,
    AssessmentPoint,
    CapMeeting,
    GroupNote,
    Meeting,
    MeetingType,
    PupilNote,
    ReviewOutcome,
    SchoolClass,
)

ADVISED_MEETINGS_PER_YEAR = 3  # seed 003: "no more than 2–3 times a year"
FOCUS_CATEGORIES = (ActionCategory.TEACHING, ActionCategory.CURRICULUM)
AGENDA = [
    ("Review of the actions agreed last time: done? impact? next steps?", 15),
    ("The class analysis: strengths and areas of focus", 15),
    ("Groups and individual pupils", 15),
    ("Agreed actions for the next period (teaching and curriculum first)", 15),
]


def _day(value):
    return format_date(value, "j M Y")


# --- Classes and assessment points ---------------------------------------------------------


def _check_staff(school, people, field):
    staff = set(
        school.memberships.filter(role__in=(Role.PRINCIPAL, Role.SCHOOL_STAFF)).values_list(
            "user_id", flat=True
        )
    )
    outsiders = [person.display_name for person in people if person.pk not in staff]
    if outsiders:
        raise ValidationError(
            {
                field: f"Not on {school}'s staff: {', '.join(outsiders)}. "
                "Add them to the school first."
            }
        )


@transaction.atomic
def create_class(*, school, year, name, grade, teacher, co_leaders=()):
    _check_staff(school, [teacher], "teacher")
    _check_staff(school, list(co_leaders), "co_leaders")
    school_class = SchoolClass(
        school=school, school_year=year, name=name.strip(), grade=grade.strip(), teacher=teacher
    )
    school_class.full_clean()
    school_class.save()
    school_class.co_leaders.set(co_leaders)
    return school_class


@transaction.atomic
def create_assessment_point(*, school, year, name, date):
    point = AssessmentPoint(school=school, school_year=year, name=name.strip(), date=date)
    point.full_clean()
    point.save()
    return point


# --- Scheduling ----------------------------------------------------------------------------


def cap_meetings_of(school_class):
    return Meeting.objects.filter(
        meeting_type=MeetingType.CAP, cap__school_class=school_class
    ).not_cancelled()


def warnings_for(school_class, point, day, exclude=None):
    """What the user must confirm before this CAP meeting goes ahead (seed 003)."""
    warnings = []
    others = cap_meetings_of(school_class)
    if exclude is not None:
        others = others.exclude(pk=exclude.pk)
    count = others.count() + 1
    if count > ADVISED_MEETINGS_PER_YEAR:
        warnings.append(
            f"This would be CAP meeting number {count} for {school_class} this school year; "
            f"CAP meetings are advised no more than {ADVISED_MEETINGS_PER_YEAR} times a year."
        )
    if day < point.date:
        warnings.append(
            f"{_day(day)} is before the assessment point it follows ({point.name}, "
            f"{_day(point.date)}): the results will not be in yet."
        )
    return warnings


@transaction.atomic
def schedule_cap_meeting(
    *,
    user,
    school_class,
    assessment_point,
    starts_at,
    ends_at,
    place="",
    video_link="",
    confirmed=False,
):
    school, year = school_class.school, school_class.school_year
    if (assessment_point.school_id, assessment_point.school_year_id) != (school.pk, year.pk):
        raise ValidationError(
            {"assessment_point": "Choose an assessment point of this school and school year."}
        )
    day = clock.local_date(starts_at, school)
    if not year.starts_on <= day <= year.ends_on:
        raise ValidationError(
            {
                "date": f"The meeting must fall in the school year {year.name} "
                f"({_day(year.starts_on)} – {_day(year.ends_on)})."
            }
        )
    warnings = warnings_for(school_class, assessment_point, day)
    if warnings and not confirmed:
        raise services.NeedsConfirmation(warnings, code="confirm_cap")
    meeting = services.create_meeting(
        district=school.district,
        school=school,
        school_year=year,
        meeting_type=MeetingType.CAP,
        title=fit(Meeting, "title", f"CAP {school_class} – after {assessment_point.name}"),
        starts_at=starts_at,
        ends_at=ends_at,
        place=place,
        video_link=video_link,
        created_by=user,
        agenda=AGENDA,
    )
    CapMeeting.objects.create(
        meeting=meeting, school_class=school_class, assessment_point=assessment_point
    )
    return meeting


# --- Analysis and notes --------------------------------------------------------------------


def check_assessment_file(upload):
    if upload is None:
        return
    if upload.size > MAX_ASSESSMENT_FILE_BYTES:
        raise ValidationError(
            {"assessment_file": "The file is larger than 5 MB; attach a smaller export."}
        )
    if upload.name.lower().endswith(".csv"):
        try:
            text = upload.read().decode("utf-8-sig")
            rows = list(csv.reader(io.StringIO(text)))
        except (UnicodeDecodeError, csv.Error):
            raise ValidationError(
                {"assessment_file": "This CSV file could not be read; save it as UTF-8 CSV."}
            ) from None
        finally:
            upload.seek(0)
        if not rows:
            raise ValidationError({"assessment_file": "This CSV file is empty."})


@transaction.atomic
def save_analysis(cap, *, user, strengths, areas_of_focus, assessment_file=None, clear_file=False):
    recording.require_record_open(cap.meeting)
    check_assessment_file(assessment_file)
    cap.strengths = strengths.strip()
    cap.areas_of_focus = areas_of_focus.strip()
    if clear_file:
        # The stored file leaves storage when this commits (schoolplan.uploads).
        cap.assessment_file = None
    if assessment_file is not None:
        cap.assessment_file = assessment_file
    cap.analysis_by = user
    cap.analysis_updated_at = clock.now()
    cap.full_clean()
    cap.save()
    return cap


def csv_preview(cap, limit=15):
    """The first rows of an attached CSV, to show on the meeting page."""
    if not cap.assessment_file or not cap.assessment_file.name.lower().endswith(".csv"):
        return None
    try:
        with cap.assessment_file.open("rb") as handle:
            text = handle.read(200_000).decode("utf-8-sig", errors="replace")
    except OSError:
        return None
    rows = list(csv.reader(io.StringIO(text)))
    return {
        "header": rows[0] if rows else [],
        "rows": rows[1 : limit + 1],
        "more": len(rows) > limit + 1,
    }


def require_analysis(meeting):
    """seed 003: the analysis comes before the meeting; no analysis, no held meeting."""
    cap = getattr(meeting, "cap", None)
    if cap is None or not cap.has_analysis:
        raise ValidationError(
            "Fill in the class analysis (strengths and areas of focus) before marking the "
            "CAP meeting held."
        )


@transaction.atomic
def add_note(cap, *, user, kind, subject, note):
    recording.require_record_open(cap.meeting)
    subject, note = subject.strip(), note.strip()
    if not subject or not note:
        raise ValidationError("Give the group or pupil and the note.")
    if kind == "pupil":
        if len(subject) > 20:
            raise ValidationError(
                "Record a pupil by the school's identifier or initials (20 characters at most), "
                "not a full profile."
            )
        return PupilNote.objects.create(cap=cap, pupil=subject, note=note, created_by=user)
    return GroupNote.objects.create(cap=cap, group=subject, note=note, created_by=user)


def notes_visible_to(user, queryset):
    """The one way to read group and pupil notes (seed 003: both can identify children): through
    the permission layer's CLASS_TEAM ability. queryset: of GroupNote or of PupilNote."""
    return restrict(queryset, user, CLASS_TEAM)


# --- Reviewing the previous actions --------------------------------------------------------


def previous_cap_meeting(meeting):
    cap = meeting.cap
    return (
        cap_meetings_of(cap.school_class)
        .filter(starts_at__lt=meeting.starts_at)
        .exclude(pk=meeting.pk)
        .order_by("-starts_at")
        .first()
    )


@transaction.atomic
def review_action(
    meeting, *, user, action_item, outcome, impact="", next_step="", carry_forward=False
):
    """Record how a previous action went; carry an unfinished one forward as a linked action."""
    recording.require_record_open(meeting)
    previous = previous_cap_meeting(meeting)
    if previous is None or action_item.meeting_id != previous.pk:
        raise ValidationError("Only the previous CAP meeting's actions are reviewed here.")
    if outcome not in ReviewOutcome.values:
        raise ValidationError({"outcome": "Choose done, partly done or not done."})
    if carry_forward and outcome == ReviewOutcome.DONE:
        raise ValidationError("A done action is not carried forward.")
    # Two of the team reviewing it at once carry it forward once.
    action_item = ActionItem.objects.select_for_update().get(pk=action_item.pk)
    next_step = next_step.strip()
    carries = carry_forward and not action_item.carried_to.exists()
    if carries:
        # seed 003: "What are the next steps?" The new action is the step agreed, not the old text.
        if not next_step:
            raise ValidationError(
                {
                    "next_step": "Agree the next step to carry this action forward: "
                    "it becomes the new action."
                }
            )
        limit = ActionItem._meta.get_field("description").max_length
        if len(next_step) > limit:
            raise ValidationError(
                {
                    "next_step": f"A next step carried forward becomes an action of {limit} "
                    f"characters at most; this one has {len(next_step)}."
                }
            )
    review, _ = ActionReview.objects.update_or_create(
        meeting=meeting,
        action_item=action_item,
        defaults={
            "outcome": outcome,
            "impact": impact.strip(),
            "next_step": next_step,
            "reviewed_by": user,
        },
    )
    new_status = None
    note = f"Reviewed at {meeting.title}: {review.get_outcome_display().lower()}."
    if outcome == ReviewOutcome.DONE and action_item.status != ActionStatus.DONE:
        new_status = ActionStatus.DONE
    elif carries:
        services.add_action_item(
            meeting,
            user=user,
            description=next_step,
            owner=action_item.owner,
            category=action_item.category,
            research_title=action_item.research_title,
            research_url=action_item.research_url,
            carried_from=action_item,
        )
        new_status = ActionStatus.CARRIED
        note += f" Carried forward to {meeting.title}."
    if new_status:
        ActionItemUpdate.objects.create(
            action_item=action_item,
            by=user,
            old_status=action_item.status,
            new_status=new_status,
            note=note,
        )
        action_item.status = new_status
        action_item.save(update_fields=["status"])
    return review


# --- Balance and overview ------------------------------------------------------------------
