from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from meetings import services

LA = ZoneInfo("America/Los_Angeles")


def at(day, hour=18, minute=0):
    return datetime.combine(day, time(hour, minute), tzinfo=LA)


def schedule(school, user, stage="kick_off", day=date(2026, 9, 15), **options):
    options.setdefault("place", "School library")
    return services.schedule_cpm_meeting(
        user=user,
        school=school,
        stage=stage,
        starts_at=at(day),
        ends_at=at(day, 19, 30),
        **options,
    )
