from contextlib import contextmanager
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import time_machine

from meetings import services
from schoolplan import clock as app_clock

from .clock import on

LA = ZoneInfo("America/Los_Angeles")
KICK_OFF_DAY = on(9, 15)  # in the Kick Off window of the school year the tests build


def at(day, hour=18, minute=0):
    return datetime.combine(day, time(hour, minute), tzinfo=LA)


@contextmanager
def ahead_of(starts_at, days=7):
    """Run the code inside as a principal who plans ahead: `days` before starts_at when it is
    already past on the test's clock (dated in the past, the scheduling services record a
    meeting late instead: meetings.recorded_late), then the clock is back where it was."""
    if starts_at > app_clock.now():
        yield
        return
    with time_machine.travel(starts_at - timedelta(days=days), tick=False):
        yield


def schedule(school, user, stage="kick_off", day=KICK_OFF_DAY, **options):
    """A CPM meeting scheduled ahead of its day (ahead_of), whatever the date of the test."""
    options.setdefault("place", "School library")
    with ahead_of(at(day)):
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
