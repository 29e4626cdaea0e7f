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
