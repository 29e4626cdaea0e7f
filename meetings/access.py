"""Fetching meetings for a request: visible ones only (else 404), then the action's permission."""

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404

from schoolplan.permissions import CLASS_TEAM, KEEP_SCHOOL_RECORDS, VIEW_SCHOOL, can, require

from .models import Meeting, MeetingType

RECORD = "record"  # keep the meeting's record: whoever the meeting type says may


def can_record(user, meeting):
    """Who keeps a meeting's record: the host's staff; for a CAP meeting, the class's team."""
    if meeting.meeting_type == MeetingType.CAP:
        return can(user, CLASS_TEAM, meeting.cap)
    return can(user, KEEP_SCHOOL_RECORDS, meeting)


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
    elif ability is not VIEW_SCHOOL:
        require(request.user, ability, meeting)
    return meeting
