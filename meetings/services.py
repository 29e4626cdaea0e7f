"""What people do with meetings. Views call these; each validates first, then writes in one
transaction, so a refused change leaves nothing half-saved."""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F

from schoolplan import audit, clock
from schoolplan.models import CpmStage, SchoolYear

from . import cpm, recorded_late
from .models import (
    ActionItem,
    ActionItemUpdate,
    ActionStatus,
    AgendaItem,
    Amendment,
    Goal,
    GoalArea,
    Invitation,
    Meeting,
    MeetingStatus,
    MeetingType,
    Minutes,
)
from .notices import calendar_recipients, notify_district_of_cpm, send_invitation


class NeedsConfirmation(ValidationError):
    """The change is allowed, but only once the user confirms it."""


# Rules a meeting type adds before one of its meetings may be marked held:
# meeting type -> [check(meeting) raising ValidationError]. Types register in apps.ready().
HELD_CHECKS = {}


def register_held_check(meeting_type, check):
    HELD_CHECKS.setdefault(meeting_type, []).append(check)


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
    cpm.check_window(year, stage, day)
    cpm.check_combination(school, stage, title_i=title_i, spf=spf)
    if CpmStage(stage) == CpmStage.KICK_OFF and not confirm_repeat:
        others = cpm.same_stage_meetings(school, year, stage)
        if exclude is not None:
            others = others.exclude(pk=exclude.pk)
        if others.exists():
            first = others.first()
            raise NeedsConfirmation(
                f"{school} already has a Kick Off this year ({first.title}, "
                f"{first.local_date:%-d %b %Y}). Schedule a second one anyway?",
                code="confirm_repeat",
            )
    return year


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
    invitations = calendar_recipients(meeting)
    if invitations:
        from .calendar import meeting_ics

        ics = meeting_ics(meeting)
        for invitation in invitations:
            send_invitation(meeting, invitation, ics)


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
    title_i=False,
    spf=False,
    confirm_repeat=False,
):
    """A principal schedules a CPM meeting: in its window, with its suggested agenda."""
    stage = CpmStage(stage)
    year = _validate_cpm(
        school, stage, starts_at, title_i=title_i, spf=spf, confirm_repeat=confirm_repeat
    )
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
        languages_offered=list(languages),
        created_by=user,
        agenda=cpm.suggested_agenda(school, year, stage, title_i=title_i, spf=spf),
    )
    notify_district_of_cpm(meeting, "scheduled")
    return meeting


def _require_planned(meeting):
    if not meeting.is_planned:
        raise ValidationError(
            f"This meeting is {meeting.get_status_display().lower()}; it can no longer be changed."
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
    if moved:
        notify_district_of_cpm(meeting, "moved")
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
    """Invite people with accounts; each gets an e-mail with the meeting's .ics."""
    from .calendar import meeting_ics

    _require_planned(meeting)
    ics = meeting_ics(meeting)
    created = []
    for person in people:
        invitation, was_created = Invitation.objects.get_or_create(meeting=meeting, user=person)
        if was_created:
            send_invitation(meeting, invitation, ics)
            created.append(invitation)
    return created


def require_record_open(meeting):
    """Minutes, notes and agreed actions change only until the minutes are published."""
    minutes = getattr(meeting, "minutes", None)
    if minutes is not None and minutes.is_published:
        raise ValidationError("The minutes are published; record an amendment to change them.")
    if meeting.is_cancelled:
        raise ValidationError("This meeting was cancelled; it has no minutes.")


class RecordConflict(ValidationError):
    """Someone saved this part of a meeting's record after the page loaded it: nothing was
    written. `theirs`: field -> what is saved now; `by` and `at`: who saved it, and when;
    `version`: the version it is now, which a save made knowing theirs names."""

    def __init__(self, what, *, theirs, by, at, version, place):
        self.theirs, self.by, self.at, self.version = theirs, by, at, version
        who = by.display_name if by is not None else "Someone"
        # The district's wall time: the meeting's people read it where the meeting is.
        when = f" at {clock.local(at, place):%-I:%M %p}" if at is not None else ""
        super().__init__(
            f"Not saved: {who} saved {what}{when}, after you loaded it. Your text is kept "
            "below, beside theirs: save again to keep yours, or take theirs.",
            code="record_conflict",
        )


def _lock(meeting):
    """The meeting, locked for this transaction: saves of its record take turns."""
    return Meeting.objects.select_for_update().get(pk=meeting.pk)


@transaction.atomic
def record_minutes(
    meeting,
    *,
    user,
    text,
    decisions=None,
    attended=None,
    family_attendees=None,
    community_attendees=None,
    mark_held=False,
    expected_version=None,
):
    """Record what happened; marking the meeting held needs minutes and a meeting that began.

    None leaves a part as recorded (decisions, attendance, the counts). expected_version: the
    minutes' version the page loaded (0: none yet); if someone saved since, RecordConflict."""
    locked = _lock(meeting)
    require_record_open(locked)
    text = (text or "").strip()
    if mark_held or locked.is_held:
        if not text:
            raise ValidationError({"text": "Write the minutes before marking the meeting held."})
        if locked.starts_at > clock.now():
            raise ValidationError("The meeting has not started yet, so it cannot be marked held.")
    minutes = Minutes.objects.filter(meeting=locked).select_related("recorded_by").first()
    current = minutes.version if minutes else 0
    if expected_version is not None and expected_version != current:
        raise _minutes_conflict(locked, minutes)
    decisions = minutes.decisions if decisions is None and minutes else (decisions or "")
    if minutes is None:
        try:
            with transaction.atomic():
                minutes = Minutes.objects.create(
                    meeting=locked, text=text, decisions=decisions.strip(), recorded_by=user
                )
        except IntegrityError:
            # Without row locks (SQLite) another first save got in first.
            raise _minutes_conflict(locked) from None
    elif (text, decisions.strip()) != (minutes.text, minutes.decisions):
        # The version check is repeated in the UPDATE itself: of two racing saves, one wins.
        saved = Minutes.objects.filter(pk=minutes.pk, version=current).update(
            text=text,
            decisions=decisions.strip(),
            recorded_by=user,
            updated_at=clock.now(),
            version=F("version") + 1,
        )
        if saved != 1:  # only without row locks (SQLite): another save got in first
            raise _minutes_conflict(locked)
        minutes.refresh_from_db()
    if attended is not None:
        _record_attendance(locked, user, attended)
    if family_attendees is not None:
        locked.family_attendees = family_attendees
    if community_attendees is not None:
        locked.community_attendees = community_attendees
    if mark_held or locked.is_held:
        # A type's checks see the attendance just recorded (a late record needs it); a refusal
        # undoes the whole save (this transaction).
        for check in HELD_CHECKS.get(locked.meeting_type, []):
            check(locked)
    if mark_held:
        locked.status = MeetingStatus.HELD
    locked.save()
    meeting.status = locked.status
    meeting.family_attendees = locked.family_attendees
    meeting.community_attendees = locked.community_attendees
    return minutes


def _minutes_conflict(locked, minutes=False):
    if minutes is False:
        minutes = Minutes.objects.filter(meeting=locked).select_related("recorded_by").first()
    return RecordConflict(
        "the minutes",
        theirs={
            "text": minutes.text if minutes else "",
            "decisions": minutes.decisions if minutes else "",
        },
        by=minutes.recorded_by if minutes else None,
        at=minutes.updated_at if minutes else None,
        version=minutes.version if minutes else 0,
        place=locked,
    )


def _attendance_conflict(locked):
    fresh = Meeting.objects.select_related("attendance_recorded_by").get(pk=locked.pk)
    invitations = fresh.invitations.select_related("user")
    return RecordConflict(
        "the attendance",
        theirs={"attended": [i.user for i in invitations if i.attended]},
        by=fresh.attendance_recorded_by,
        at=fresh.attendance_recorded_at,
        version=fresh.attendance_version,
        place=locked,
    )


def _record_attendance(locked, user, attended):
    """Tick who came on the locked meeting; a change is a new attendance version."""
    attended_ids = {person.pk for person in attended}
    changed = [i for i in locked.invitations.all() if i.attended != (i.user_id in attended_ids)]
    if not changed:
        return
    for invitation in changed:
        invitation.attended = not invitation.attended
        invitation.save(update_fields=["attended"])
    now, version = clock.now(), locked.attendance_version
    # The version check is repeated in the UPDATE itself: of two racing saves, one wins.
    saved = Meeting.objects.filter(pk=locked.pk, attendance_version=version).update(
        attendance_version=version + 1, attendance_recorded_by=user, attendance_recorded_at=now
    )
    if saved != 1:  # only without row locks (SQLite): another save got in first
        raise _attendance_conflict(locked)
    locked.attendance_version = version + 1
    locked.attendance_recorded_by, locked.attendance_recorded_at = user, now


@transaction.atomic
def record_attendance(meeting, *, user, attended, expected_version):
    """Who came, on its own (a CIM review records it while others type): expected_version is
    the attendance version the page loaded; if someone saved it since, RecordConflict."""
    locked = _lock(meeting)
    require_record_open(locked)
    if expected_version != locked.attendance_version:
        raise _attendance_conflict(locked)
    _record_attendance(locked, user, attended)
    locked.save()
    meeting.attendance_version = locked.attendance_version
    return locked


@transaction.atomic
def publish_minutes(meeting, *, user):
    minutes = getattr(meeting, "minutes", None)
    if not meeting.is_held or minutes is None:
        raise ValidationError("Record the minutes and mark the meeting held before publishing.")
    if minutes.is_published:
        raise ValidationError("The minutes are already published.")
    minutes.published_at = clock.now()
    minutes.published_by = user
    minutes.save()
    audit.record(user, "minutes-published", meeting)
    return minutes


@transaction.atomic
def amend_minutes(meeting, *, user, text, decisions, reason):
    """Change published minutes; the earlier text stays on record in the amendment."""
    minutes = Minutes.objects.select_for_update().get(meeting=meeting)
    if not minutes.is_published:
        raise ValidationError("These minutes are not published yet; edit them directly.")
    errors = {}
    if not (reason or "").strip():
        errors["reason"] = "Say why the published minutes change."
    if not (text or "").strip():
        errors["text"] = "Minutes cannot be empty."
    if errors:
        raise ValidationError(errors)
    if (text.strip(), decisions.strip()) == (minutes.text, minutes.decisions):
        raise ValidationError("The amendment changes nothing.")
    Amendment.objects.create(
        minutes=minutes,
        reason=reason.strip(),
        previous_text=minutes.text,
        previous_decisions=minutes.decisions,
        amended_by=user,
    )
    minutes.text, minutes.decisions = text.strip(), decisions.strip()
    minutes.save(amending=True)
    audit.record(user, "minutes-amended", meeting, summary=reason.strip())
    return minutes


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
