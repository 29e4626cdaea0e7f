"""The one clock: every reading of "now" and "today" goes through here.

Every date rule belongs to a district's local calendar (DOMAIN.md, Time): a window closes at
local midnight, May 15 ends at midnight where the school is, a reminder's "today" is the
recipient district's. So "today" is always asked *of a place*: a district, or anything that
belongs to one (a school, a school year, a meeting). `settings.TIME_ZONE` is only the zone a
new district starts with, and the zone of pages that belong to no district.

Tests move this clock with time-machine (tests/clock.py); nothing else reads the system time.
"""

from contextlib import contextmanager
from datetime import date, datetime, time
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone


def now():
    """This moment (aware, UTC)."""
    return timezone.now()


@lru_cache(maxsize=1)
def time_zone_names():
    """Every IANA zone name this machine's tz database knows, sorted."""
    return sorted(name for name in available_timezones() if "/" in name or name == "UTC")


@lru_cache(maxsize=64)
def _zone(name):
    return ZoneInfo(name)


def validate_time_zone(name):
    try:
        _zone(str(name))
    except (ZoneInfoNotFoundError, ValueError, TypeError) as error:
        raise ValidationError(
            "%(name)s is not a time zone name (for example America/Denver).",
            params={"name": name},
            code="invalid_time_zone",
        ) from error


def default_zone():
    return _zone(settings.TIME_ZONE)


def zone_of(place=None):
    """The time zone of a place: a district, or anything with a `district` (a school, a school
    year, a meeting's host…) or a `school` (a school's plan), or a zone name. None: the zone
    active now (a page's, or the server's default)."""
    if place is None:
        return timezone.get_current_timezone()
    if isinstance(place, ZoneInfo):
        return place
    if isinstance(place, str):
        return _zone(place)
    name = getattr(place, "time_zone", None)
    if name:
        return _zone(name)
    district = getattr(place, "district", None)
    if district is not None and district is not place:
        return zone_of(district)
    school = getattr(place, "school", None)
    if school is not None:
        return zone_of(school)
    return default_zone()


def today(place=None):
    """Today's date where `place` is (see zone_of)."""
    return timezone.localdate(now(), zone_of(place))


def local(moment, place=None):
    """A moment as the wall-clock time where `place` is."""
    return timezone.localtime(moment, zone_of(place))


def local_date(moment, place=None):
    return local(moment, place).date()


def at(day, wall_time, place=None):
    """The moment it is `wall_time` (a time, or "HH:MM") on `day` where `place` is. Wall time is
    what a meeting keeps across a DST change: 17:30 in Denver is 17:30 in March and November."""
    if isinstance(wall_time, str):
        wall_time = time.fromisoformat(wall_time)
    return datetime.combine(day, wall_time, tzinfo=zone_of(place))


def start_of_day(day, place=None):
    return at(day, time(0, 0), place)


def midnight_after(day, place=None):
    """The moment `day` ends where `place` is: a window or a due date closes then."""
    return at(date.fromordinal(day.toordinal() + 1), time(0, 0), place)


@contextmanager
def zone(place):
    """Show and compute times in `place`'s zone inside the block (e-mails, PDFs, exports)."""
    with timezone.override(zone_of(place)):
        yield


def activate(place):
    """Show the rest of this request in `place`'s zone (the page of an object, a family page)."""
    timezone.activate(zone_of(place))
