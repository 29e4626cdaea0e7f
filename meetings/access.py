"""Fetching meetings for a request: visible ones only (else 404), then the action's permission."""

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404

from schoolplan import clock
from schoolplan.permissions import (
    CLASS_TEAM,
    EDIT_CIM_PLAN,
    KEEP_SCHOOL_RECORDS,
    LEAD_CIM,
    MANAGE_SCHOOL,
    VIEW_SCHOOL,
    can,
    require,
)

from .models import Meeting, MeetingType

RECORD = "record"  # keep the meeting's record: whoever the meeting type says may
MANAGE = "manage"  # move, cancel, invite: the meeting's host


def can_record(user, meeting):
    """Who keeps a meeting's record: the host's staff; for a CAP meeting, the class's team."""
    if meeting.meeting_type == MeetingType.CAP:
        return can(user, CLASS_TEAM, meeting.cap)
    if meeting.meeting_type == MeetingType.CIM_REVIEW:
        return can(user, EDIT_CIM_PLAN, meeting)
    return can(user, KEEP_SCHOOL_RECORDS, meeting)


def can_manage(user, meeting):
    """Who moves, cancels and invites: the school's principal; for a CIM review, the lead."""
    if meeting.meeting_type == MeetingType.CIM_REVIEW:
        return can(user, LEAD_CIM, meeting)
    return can(user, MANAGE_SCHOOL, meeting)


def get_meeting(request, pk, ability=VIEW_SCHOOL):
    meeting = get_object_or_404(
        Meeting.objects.visible_to(request.user).select_related(
            "school", "district", "school_year", "cap"
        ),
        pk=pk,
    )
    if ability == RECORD:
        if not can_record(request.user, meeting):
            raise PermissionDenied("Only the meeting's team keeps its record.")
    elif ability == MANAGE:
        if not can_manage(request.user, meeting):
            raise PermissionDenied("Only the meeting's host changes it.")
    elif ability is not VIEW_SCHOOL:
        require(request.user, ability, meeting)
    # A meeting is shown, and its times typed, in its host district's zone, whoever looks.
    clock.activate(meeting.district)
    return meeting
