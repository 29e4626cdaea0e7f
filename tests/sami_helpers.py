"""Builders for the SAMI note catcher and the workshop pre-work (seed 002) in tests."""

from meetings import sami as sami_rules
from meetings import workshops
from meetings.models import SamiItem, SamiRating, SamiTeamMember
from plans import services as plan_services
from plans import workflow

from .clock import on
from .workshop_helpers import make_series

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
    """A series open all year with one elementary session on day."""
    return make_series(
        district,
        year,
        day=day,
        staff=staff,
        windows=(OPENS, PRIORITY, CLOSES),
        capacities=(24, 11),
        title="Collaborative problem solving",
        levels=("elementary",),
    )


def register_without_prework(series, school, user, people=6):
    return workshops.register(
        series,
        school=school,
        session=series.sessions.get(level="elementary"),
        user=user,
        people=people,
        today=on(3, 1),
    )
