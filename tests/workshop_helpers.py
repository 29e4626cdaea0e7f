"""Builders for workshop tests (seed 002): a series with one session per level, a school's
registration, and a late-June series."""

from datetime import time

from meetings import workshops
from meetings.models import SeriesKind
from schoolplan.models import EssaDesignation, Level, Role

from .clock import on
from .factories import SchoolFactory, member

OPENS, PRIORITY, CLOSES = on(12, 1), on(12, 14), on(1, 15)
AFTER_PRIORITY = on(12, 20)
SESSION_DAY = on(2, 2)
LATE_JUNE_DAY = on(6, 24)


def make_series(
    district,
    year,
    kind=SeriesKind.WORKSHOP,
    day=SESSION_DAY,
    *,
    staff=None,
    windows=(OPENS, PRIORITY, CLOSES),
    capacities=(30, 30),
    times=(time(15, 15), time(18, 15)),
    place="Dean Operations Center",
    title=None,
    levels=("elementary", "secondary"),
):
    """A series (its registration windows: opens, priority closes, closes) with a session per
    level on day; capacities: (elementary, secondary) schools."""
    staff = staff or member(Role.DISTRICT_STAFF, district)
    if title is None:
        title = "Late-June planning" if kind == SeriesKind.LATE_JUNE else "Problem solving"
    series = workshops.create_series(
        district=district,
        year=year,
        user=staff,
        title=title
        or ("Late-June planning" if kind == SeriesKind.LATE_JUNE else "Problem solving"),
        kind=kind,
        description="",
        registration_opens=windows[0],
        priority_closes=windows[1],
        registration_closes=windows[2],
        elementary_capacity=capacities[0],
        secondary_capacity=capacities[1],
    )
    for level in levels:
        workshops.add_session(
            series,
            user=staff,
            day=day,
            starts=times[0],
            ends=times[1],
            place=place,
            level=level,
        )
    return series


def designated_school(district, **fields):
    fields.setdefault("essa_designation", EssaDesignation.TARGETED)
    fields.setdefault("level", Level.ELEMENTARY)
    return SchoolFactory(district=district, **fields)


def register(series, school, people=6, team=()):
    level = "elementary" if school.level == Level.ELEMENTARY else "secondary"
    return workshops.register(
        series,
        school=school,
        session=series.sessions.get(level=level),
        user=member(Role.PRINCIPAL, school),
        people=people,
        prework="1. Math talk",
        team=list(team),
        today=AFTER_PRIORITY,
    )
