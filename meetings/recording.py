"""Recording a meeting: its minutes and attendance (each with a version: a stale save is refused
and shows both texts), publishing and amending the minutes."""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F

from schoolplan import audit, clock

from .models import (
    Amendment,
    Meeting,
    MeetingStatus,
    Minutes,
)

# Rules a meeting type adds before one of its meetings may be marked held:
# meeting type -> [check(meeting) raising ValidationError]. Types register in apps.ready().
HELD_CHECKS = {}


def register_held_check(meeting_type, check):
    HELD_CHECKS.setdefault(meeting_type, []).append(check)


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
