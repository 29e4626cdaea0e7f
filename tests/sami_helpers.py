"""Builders for the SAMI note catcher and the workshop pre-work (seed 002) in tests."""

from datetime import time

from meetings import sami as sami_rules
from meetings import workshops
from meetings.models import SamiItem, SamiRating, SamiTeamMember
from plans import services as plan_services
from plans import workflow

from .clock import on

SESSION_DAY = on(4, 22)  # seed 002's workshops are in late April
OPENS, PRIORITY, CLOSES = on(7, 1), on(7, 2), on(4, 15)  # open (and past priority) all year


def sami_with_items(
    school,
    year,
    user,
    names=(
        "Universal tier",
        "Data-based decisions",
        "Leadership",
        "Family partnership",
        "Assessment",
    ),
):
    """A SAMI with rated items (the first three marked as high-leverage actions) and a team."""
    sami = workflow.start_sami(school=school, year=year, user=user)
    items = [
        plan_services.add(
            SamiItem,
            user=user,
            sami=sami,
            name=name,
            rating=SamiRating.EMERGING,
            notes=f"Notes on {name}",
        )
        for name in names
    ]
    plan_services.add(SamiTeamMember, user=user, sami=sami, name="Ana Ruiz", role="Principal")
    if len(items) >= 2:
        sami = sami_rules.mark_high_leverage(
            sami, items=items[:3], user=user, expected_version=sami.high_leverage_version
        )
    return sami, items


def series_with_session(district, year, staff, day=SESSION_DAY):
    series = workshops.create_series(
        district=district,
        year=year,
        user=staff,
        title="Collaborative problem solving",
        description="",
        registration_opens=OPENS,
        priority_closes=PRIORITY,
        registration_closes=CLOSES,
        elementary_capacity=24,
        secondary_capacity=11,
    )
    workshops.add_session(
        series,
        user=staff,
        day=day,
        starts=time(15, 15),
        ends=time(18, 15),
        place="Dean Operations Center",
        level="elementary",
    )
    return series


def register_without_prework(series, school, user, people=6):
    return workshops.register(
        series,
        school=school,
        session=series.sessions.get(level="elementary"),
        user=user,
        people=people,
        today=on(3, 1),
    )
