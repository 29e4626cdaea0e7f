from datetime import datetime, time
from zoneinfo import ZoneInfo

from meetings import services

from .clock import on

LA = ZoneInfo("America/Los_Angeles")
KICK_OFF_DAY = on(9, 15)  # in the Kick Off window of the school year the tests build


def at(day, hour=18, minute=0):
    return datetime.combine(day, time(hour, minute), tzinfo=LA)


def schedule(school, user, stage="kick_off", day=KICK_OFF_DAY, **options):
    options.setdefault("place", "School library")
    return services.schedule_cpm_meeting(
        user=user,
        school=school,
        stage=stage,
        starts_at=at(day),
        ends_at=at(day, 19, 30),
        **options,
    )


def check_in(school, year, day, title="Check In for families", hour=17, **fields):
    """A planned Check In CPM meeting (a community meeting families see) on day, an hour long
    from hour, in the cafeteria, offered in English and Spanish unless fields say otherwise."""
    from meetings.models import Meeting, MeetingType

    values = {
        "district": school.district,
        "school": school,
        "school_year": year,
        "meeting_type": MeetingType.CPM,
        "cpm_stage": "check_in",
        "title": title,
        "starts_at": at(day, hour),
        "ends_at": at(day, hour + 1),
        "place": "Cafeteria",
        "languages_offered": ["en", "es"],
    }
    return Meeting.objects.create(**{**values, **fields})
