"""What the CPM requirement rules (meetings.cpm) read of many schools' meetings, loaded in bulk
(one query, no model instances): a dashboard of a thousand schools reads these."""

from dataclasses import dataclass

from schoolplan import clock
from schoolplan.models import User
from schoolplan.rows import Links

from . import recorded_late
from .models import Meeting, MeetingStatus


@dataclass(frozen=True)
class MeetingRecord:
    """What the requirement rules read of a meeting, loaded in bulk without model instances."""

    pk: int
    school_id: int
    meeting_type: str
    cpm_stage: str
    status: str
    local_date: object
    counts_as_spf_meeting: bool
    counts_as_title_i_meeting: bool
    url: str
    late: str = ""  # a late record's stamp (meetings.recorded_late)


def meeting_records(school_ids, year_ids):
    """{school id: [MeetingRecord]} of the schools' non-cancelled meetings in those years, in
    date order, each dated where its district is (one query)."""
    meeting_url = Links("meeting_detail")
    found = {}
    rows = (
        Meeting.objects.filter(school__in=school_ids, school_year__in=year_ids)
        .exclude(status=MeetingStatus.CANCELLED)
        .order_by("starts_at")
        .values_list(
            "pk",
            "school_id",
            "meeting_type",
            "cpm_stage",
            "status",
            "starts_at",
            "district__time_zone",
            "counts_as_spf_meeting",
            "counts_as_title_i_meeting",
            "recorded_late_at",
            "recorded_late_by__first_name",
            "recorded_late_by__last_name",
            "recorded_late_by__username",
        )
    )
    zones = {}
    for row in rows:
        pk, school_id, kind, stage, status, starts_at, zone, spf, title_i, late_at = row[:10]
        tz = zones.get(zone) or zones.setdefault(zone, clock.zone_of(zone))
        late = ""
        if late_at is not None:
            name = User.name_of(*row[10:])
            late = recorded_late.stamp_of(late_at.astimezone(tz).date(), name)
        found.setdefault(school_id, []).append(
            MeetingRecord(
                pk,
                school_id,
                kind,
                stage,
                status,
                starts_at.astimezone(tz).date(),
                spf,
                title_i,
                meeting_url(pk),
                late,
            )
        )
    return found
