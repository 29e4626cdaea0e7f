"""What people do with meetings. Views call these; each validates first, then writes in one
transaction, so a refused change leaves nothing half-saved."""

from django.core.exceptions import ValidationError
from django.db import transaction

from schoolplan import clock
from schoolplan.models import CpmStage, SchoolYear

from . import cpm_scheduling, recorded_late
from .models import (
    ActionItem,
    ActionItemUpdate,
    ActionStatus,
    AgendaItem,
    Goal,
    GoalArea,
    Invitation,
    Meeting,
    MeetingStatus,
    MeetingType,
)
from .notices import (
    calendar_recipients,
    notify_district_of_cpm,
    notify_district_recorded_late,
    send_invitation,
)
from .recording import require_record_open


class NeedsConfirmation(ValidationError):
    """The change is allowed, but only once the user confirms it."""


def school_year_for(school, day):
    year = SchoolYear.objects.of_district_on(school.district_id, day)
    if year is None:
        start = SchoolYear.start_year_containing(day)
        raise ValidationError(
            f"{school.district} has not set up the school year {start}-{(start + 1) % 100:02d} "
            "yet; ask district staff to add it before scheduling."
        )
    return year


def _validate_cpm(school, stage, starts_at, *, title_i, spf, confirm_repeat, exclude=None):
    day = clock.local_date(starts_at, school)
    year = school_year_for(school, day)
    cpm_scheduling.check_window(year, stage, day)
    cpm_scheduling.check_combination(school, stage, title_i=title_i, spf=spf)
    if not confirm_repeat:
        # A second Kick Off in a year, or a second meeting of any stage on one day (a double
        # click on another tab, issue 23), is asked about first.
        others = cpm_scheduling.same_stage_meetings(school, year, stage)
        if exclude is not None:
            others = others.exclude(pk=exclude.pk)
        kick_off = CpmStage(stage) == CpmStage.KICK_OFF
        same_day = [m for m in others if m.local_date == day]
        first = others.first() if kick_off else (same_day[0] if same_day else None)
        if first is not None:
            when = "this year" if kick_off and first.local_date != day else "on that day"
            raise NeedsConfirmation(
                f"{school} already has a {CpmStage(stage).label} {when} ({first.title}, "
                f"{first.local_date:%-d %b %Y}). Schedule a second one anyway?",
                code="confirm_repeat",
            )
    return year


def _late_record(school, starts_at, user, confirm_record_late):
    """DOMAIN.md, "Recorded, not scheduled": a meeting dated before today (where the school is)
    is recorded, only once the person confirms it; its stamp fields, or {} for a plan."""
    day = clock.local_date(starts_at, school)
    if not recorded_late.before_today(day, clock.today(school.district)):
        return {}
    if not confirm_record_late:
        raise NeedsConfirmation(recorded_late.confirmation(day), code="confirm_record_late")
    return recorded_late.stamp_fields(user)


def _tell_district(meeting):
    """A new CPM meeting: the CPM contact hears it is scheduled, or recorded after the fact; a
    late record also goes to the district's staff, who watch compliance."""
    if meeting.recorded_late_at is None:
        notify_district_of_cpm(meeting, "scheduled")
        return
    notify_district_of_cpm(meeting, "recorded")
    notify_district_recorded_late(meeting)


@transaction.atomic
def create_meeting(*, agenda=(), **fields):
    """Any type's new meeting: validated, saved, given its agenda of (title, minutes) pairs."""
    meeting = Meeting(**fields)
    meeting.full_clean()
    meeting.save()
    AgendaItem.objects.add_to(meeting, agenda)
    return meeting


def _notify_invitees(meeting):
    """An update or a cancellation to those who got the calendar entry (notices decides who)."""
    for invitation in calendar_recipients(meeting):
        send_invitation(meeting, invitation)


@transaction.atomic
def schedule_cpm_meeting(
    *,
    user,
    school,
    stage,
    starts_at,
    ends_at,
    place="",
    video_link="",
    languages=(),
    title="",
    description="",
    title_i=False,
    spf=False,
    confirm_repeat=False,
    confirm_record_late=False,
):
    """A principal schedules a CPM meeting: in its window, with its suggested agenda. Dated
    before today, it is recorded late instead (confirm_record_late)."""
    stage = CpmStage(stage)
    year = _validate_cpm(
        school, stage, starts_at, title_i=title_i, spf=spf, confirm_repeat=confirm_repeat
    )
    late = _late_record(school, starts_at, user, confirm_record_late)
    meeting = create_meeting(
        district=school.district,
        school=school,
        school_year=year,
        meeting_type=MeetingType.CPM,
        cpm_stage=stage,
        counts_as_title_i_meeting=title_i,
        counts_as_spf_meeting=spf,
        title=title or f"{stage.label} community meeting {year.name}",
        starts_at=starts_at,
        ends_at=ends_at,
        place=place,
        video_link=video_link,
        description=description,
        languages_offered=list(languages),
        created_by=user,
        agenda=cpm_scheduling.suggested_agenda(school, year, stage, title_i=title_i, spf=spf),
        **late,
    )
    _tell_district(meeting)
    return meeting


@transaction.atomic
def schedule_title_i_meeting(
    *,
    user,
    school,
    starts_at,
    ends_at,
    place="",
    video_link="",
    languages=(),
    title="",
    description="",
    confirm_repeat=False,
    confirm_record_late=False,
):
    """seed 000: a Title I school's annual parent meeting on its own (not combined with its
    Kick Off, or after missing the Kick Off's window): any day of the school year. Counted by
    the same requirement as a combined one (meetings.cpm). Dated before today, it is recorded
    late (confirm_record_late)."""
    if not school.title_i:
        raise ValidationError(f"{school} is not a Title I school: it holds no Title I meeting.")
    day = clock.local_date(starts_at, school)
    year = school_year_for(school, day)
    if not confirm_repeat:
        first = cpm_scheduling.title_i_meetings(school, year).order_by("starts_at").first()
        if first is not None:
            raise NeedsConfirmation(
                f"{school} already has its Title I annual parent meeting this year "
                f"({first.title}, {first.local_date:%-d %b %Y}). Schedule another anyway?",
                code="confirm_repeat",
            )
    late = _late_record(school, starts_at, user, confirm_record_late)
    meeting = create_meeting(
        district=school.district,
        school=school,
        school_year=year,
        meeting_type=MeetingType.TITLE_I_PARENT,
        title=title or f"Title I annual parent meeting {year.name}",
        starts_at=starts_at,
        ends_at=ends_at,
        place=place,
        video_link=video_link,
        description=description,
        languages_offered=list(languages),
        created_by=user,
        agenda=cpm_scheduling.TITLE_I_STANDALONE_AGENDA,
        **late,
    )
    if late:
        notify_district_recorded_late(meeting)
    return meeting


def _require_planned(meeting):
    if not meeting.is_planned:
        raise ValidationError(
            f"This meeting is {meeting.get_status_display().lower()}; it can no longer be changed."
        )


def _check_school_move(meeting, original):
    """DOMAIN.md, "Recorded, not scheduled": a plan is not moved into the past (that would record
    it without saying so), and a late record is not moved into the future (it was held)."""
    today = clock.today(meeting.district)
    past = recorded_late.before_today(meeting.local_date, today)
    if original.recorded_late_at is None and past and meeting.local_date != original.local_date:
        raise ValidationError(
            {
                "date": "A planned meeting cannot be moved to a day already past. If it was held "
                "on another day, cancel this one and record the meeting on the day it was held "
                "(a past date records it)."
            }
        )
    if original.recorded_late_at is not None and not past:
        raise ValidationError(
            {
                "date": "This meeting was recorded as already held, so its date is before "
                "today. To plan a meeting, schedule a new one."
            }
        )


@transaction.atomic
def update_meeting(meeting, *, user, **changes):
    """Change a planned meeting; a new date or time is a move: calendars and the district hear."""
    _require_planned(meeting)
    original = Meeting.objects.get(pk=meeting.pk)
    for name, value in changes.items():
        setattr(meeting, name, value)
    if meeting.meeting_type == MeetingType.CPM:
        _validate_cpm(
            meeting.school,
            meeting.cpm_stage,
            meeting.starts_at,
            title_i=meeting.counts_as_title_i_meeting,
            spf=meeting.counts_as_spf_meeting,
            confirm_repeat=True,  # moving a meeting does not make it a second one
            exclude=meeting,
        )
        meeting.school_year = school_year_for(meeting.school, meeting.local_date)
    if meeting.school_id is not None and meeting.starts_at != original.starts_at:
        _check_school_move(meeting, original)
    if (
        meeting.meeting_type == MeetingType.CIM_REVIEW
        and meeting.starts_at != original.starts_at
        and recorded_late.in_an_earlier_month(meeting.local_date, clock.today(meeting.district))
    ):
        # DOMAIN.md, "Recorded, not scheduled": a move must not fill an elapsed month.
        raise ValidationError(
            {"starts_at": "A review cannot be moved into a month already over; record it late."}
        )
    meeting.full_clean()
    moved = (original.starts_at, original.ends_at) != (meeting.starts_at, meeting.ends_at)
    seen_by_calendars = moved or (original.place, original.video_link, original.title) != (
        meeting.place,
        meeting.video_link,
        meeting.title,
    )
    if seen_by_calendars:
        meeting.sequence += 1
    meeting.save()
    relocated = (original.place, original.video_link) != (meeting.place, meeting.video_link)
    if moved or relocated:
        # seed 000 / issue 23: the district hears of a new place too, and of what it was.
        notify_district_of_cpm(meeting, "moved" if moved else "relocated", before=original)
    if seen_by_calendars:
        _notify_invitees(meeting)
    return meeting


@transaction.atomic
def cancel_meeting(meeting, *, user, reason):
    _require_planned(meeting)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Say why the meeting is cancelled; families will see it."})
    meeting.status = MeetingStatus.CANCELLED
    meeting.cancellation_reason = reason
    meeting.sequence += 1
    meeting.save()
    notify_district_of_cpm(meeting, "cancelled")
    _notify_invitees(meeting)
    return meeting


@transaction.atomic
def invite(meeting, *, user, people):
    """Invite people with accounts; each gets an e-mail with the meeting's .ics. A late record
    was held already: its list is for ticking who attended, and nobody is e-mailed."""
    _require_planned(meeting)
    created = []
    for person in people:
        invitation, was_created = Invitation.objects.get_or_create(meeting=meeting, user=person)
        if was_created:
            if meeting.recorded_late_at is None:
                send_invitation(meeting, invitation)
            created.append(invitation)
    return created


@transaction.atomic
def add_action_item(meeting, *, user, description, owner=None, due_on=None, **details):
    """details: category, research_title, research_url, carried_from (as a type uses them)."""
    require_record_open(meeting)
    item = ActionItem(
        meeting=meeting, description=description, owner=owner, due_on=due_on, **details
    )
    item.full_clean()
    item.save()
    ActionItemUpdate.objects.create(
        action_item=item, by=user, new_status=ActionStatus.OPEN, note="Agreed."
    )
    return item


@transaction.atomic
def update_action_item(item, *, user, status, note=""):
    """Follow-up goes on after the minutes are published; every change joins the history."""
    if status not in ActionStatus.values:
        raise ValidationError({"status": "Choose open, done or dropped."})
    if status == item.status and not note.strip():
        raise ValidationError("Nothing changed: pick a new status or write a note.")
    if status == ActionStatus.DROPPED and not note.strip():
        raise ValidationError({"note": "Say why the action is dropped."})
    ActionItemUpdate.objects.create(
        action_item=item, by=user, old_status=item.status, new_status=status, note=note.strip()
    )
    item.status = status
    item.save(update_fields=["status"])
    return item


@transaction.atomic
def add_goal(meeting, *, user, text, area=GoalArea.OTHER):
    """seed 000: Kick Off sets the year's goals; a Check In may set new ones."""
    require_record_open(meeting)
    if meeting.cpm_stage not in (CpmStage.KICK_OFF, CpmStage.CHECK_IN):
        raise ValidationError("Goals are set at a Kick Off or a Check In.")
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": "Write the goal."})
    goal = Goal(
        school=meeting.school,
        school_year=meeting.school_year,
        set_at=meeting,
        area=area,
        text=text,
        created_by=user,
    )
    goal.full_clean()
    goal.save()
    return goal
