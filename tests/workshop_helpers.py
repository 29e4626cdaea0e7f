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


def make_series(district, year, kind=SeriesKind.WORKSHOP, day=SESSION_DAY):
    staff = member(Role.DISTRICT_STAFF, district)
    series = workshops.create_series(
        district=district,
        year=year,
        user=staff,
        title="Late-June planning" if kind == SeriesKind.LATE_JUNE else "Problem solving",
        kind=kind,
        description="",
        registration_opens=OPENS,
        priority_closes=PRIORITY,
        registration_closes=CLOSES,
        elementary_capacity=30,
        secondary_capacity=30,
    )
    for level in ("elementary", "secondary"):
        workshops.add_session(
            series,
            user=staff,
            day=day,
            starts=time(15, 15),
            ends=time(18, 15),
            place="Dean Operations Center",
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
