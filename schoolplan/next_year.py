"""Starting the next school year from the current one (issue 17; DOMAIN: Organisations and time).

District staff start it, before 1 July. Its windows and the ESSA due date are the current year's
a year on (the same day and month; a day that does not exist then, 29 February, takes the
default). The CIM team carries over; the CIM level in force at the end of the year goes on into
the next (schoolplan/cim_levels.py); what belongs to the school rather than to a year (the family
languages) simply stays. The apps above the core copy their own parts (CAP classes, workshop
series, report due dates) through CARRY_OVERS, so the core imports none of them (apps depend
downward). Nothing of the old year changes, and it all happens in one transaction: a year is
started whole or not at all, and only once.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from . import audit
from .models import CimStatus, CimTeam, District, Role, SchoolYear, default_dates


def year_name(start_year):
    return f"{start_year}-{(start_year + 1) % 100:02d}"


# --- What the apps carry over ----------------------------------------------------------------


@dataclass(frozen=True)
class CarryOver:
    """One app's part of the next year: preview(old year) -> [line] says what would be copied
    (read only, for the confirmation); copy(old year, new year, user) -> [line] copies it and
    says what was."""

    preview: Callable
    copy: Callable


CARRY_OVERS = []


def register_carry_over(preview, copy):
    CARRY_OVERS.append(CarryOver(preview, copy))


# --- Dates -------------------------------------------------------------------------------------


def a_year_on(day):
    """The same day and month a year later, or None where there is none (29 February)."""
    try:
        return day.replace(year=day.year + 1)
    except ValueError:
        return None


def proposed_dates(year):
    """The next year's windows and ESSA due date: this year's a year on, else the default."""
    defaults = default_dates(year.start_year + 1)
    return {name: a_year_on(getattr(year, name)) or day for name, day in defaults.items()}


# --- Who may start which year ----------------------------------------------------------------


def _refusal(year, later, today):
    """Why the year after `year` cannot be started on `today` (None: it can), `later` being the
    start year of the district's next year after `year`, if any."""
    name = year_name(year.start_year + 1)
    if later == year.start_year + 1:
        return ValidationError(
            f"{year.district}'s {name} school year has already been started: edit its windows "
            "on the district page instead.",
            code="already_started",
        )
    if later is not None:
        return ValidationError(
            f"{year_name(later)} is already set up: start a next year from the latest one.",
            code="not_latest",
        )
    if year.start_year > SchoolYear.start_year_containing(today):
        return ValidationError(
            f"{year.name} has not begun yet: start {name} from it once it has.",
            code="not_begun",
        )
    if today > date(year.start_year + 2, 6, 30):
        return ValidationError(
            f"{name} ended on 30 June {year.start_year + 2}: set up the current school year "
            "instead.",
            code="ended",
        )
    return None


def check_can_start(year, today):
    """Refuse, saying why, to start the year after `year` on `today`."""
    later = (
        SchoolYear.objects.filter(district=year.district_id, start_year__gt=year.start_year)
        .order_by("start_year")
        .values_list("start_year", flat=True)
        .first()
    )
    refusal = _refusal(year, later, today)
    if refusal is not None:
        raise refusal


def startable(years, today):
    """Of a district's years (all of them), the one district staff may start the next from
    today: the latest, if it has begun and the year after it is not over. None otherwise."""
    latest = max(years, key=lambda y: y.start_year, default=None)
    if latest is None or _refusal(latest, None, today) is not None:
        return None
    return latest


# --- What carries over -----------------------------------------------------------------------


def _cim_people(district):
    """{user id: roles} of the active people holding the district's CIM roles."""
    people = {}
    for user_id, role in district.memberships.filter(
        role__in=(Role.CIM_LEAD, Role.CIM_MEMBER, Role.TA_PROVIDER), user__is_active=True
    ).values_list("user_id", "role"):
        people.setdefault(user_id, set()).add(role)
    return people


def _team_of(year):
    return (
        CimTeam.objects.filter(school_year=year)
        .select_related("lead", "ta_provider")
        .prefetch_related("members")
        .first()
    )


def _cim_team_lines(year, team, people):
    district = year.district
    if team is None:
        if not district.progress_reports_per_year:
            return []
        return [f"No CIM team was recorded for {year.name}: record the next one on the CIM page."]
    if Role.CIM_LEAD not in people.get(team.lead_id, ()):
        return [
            f"The CIM team does not carry over: {team.lead} is no longer a CIM team lead of "
            f"{district}. Record the next year's team on the CIM page."
        ]
    members = [m for m in _carried_members(team, people) if m.pk != team.lead_id]
    line = f"The CIM team: {team.lead} (lead)"
    if members:
        line += f" and {len(members)} member{'s' if len(members) != 1 else ''}"
    if _carried_ta_provider(team, district, people):
        line += f", with {team.ta_provider} as TA provider"
    return [line + "."]


def _carried_members(team, people):
    # The CIM team form offers the district's CIM leads and members (progress/forms.py).
    return [
        m for m in team.members.all() if people.get(m.pk, set()) & {Role.CIM_LEAD, Role.CIM_MEMBER}
    ]


def _carried_ta_provider(team, district, people):
    # seed 001: only Intensive LEAs have a TA provider, and only while they hold the role.
    provider = team.ta_provider
    if provider is None or not district.is_intensive:
        return None
    return provider if Role.TA_PROVIDER in people.get(provider.pk, ()) else None


def _copy_cim_team(old, new):
    team = _team_of(old)
    people = _cim_people(old.district)
    lines = _cim_team_lines(old, team, people)
    if team is None or Role.CIM_LEAD not in people.get(team.lead_id, ()):
        return lines
    copy = CimTeam.objects.create(
        district=new.district,
        school_year=new,
        lead=team.lead,
        ta_provider=_carried_ta_provider(team, old.district, people),
    )
    copy.members.set(_carried_members(team, people))
    return lines


def _district_lines(year):
    district = year.district
    schools = district.schools.count()
    # The new year starts with the level in force at the end of the old one (cim_levels.py).
    status = CimStatus(district.cim_status_on(year.ends_on))
    lines = [
        f"The CIM monitoring level carries over: {status.label}, in force at the end of "
        f"{year.name} (record a change on the CIM level page when the state assigns another).",
        f"The {schools} school keeps its family languages."
        if schools == 1
        else f"The {schools} schools keep their family languages.",
    ]
    return lines


def preview(year):
    """What starting the year after `year` would carry over, in words (nothing is written)."""
    lines = _district_lines(year)
    lines += _cim_team_lines(year, _team_of(year), _cim_people(year.district))
    for carry in CARRY_OVERS:
        lines += carry.preview(year)
    return lines


# --- Starting it -----------------------------------------------------------------------------


@dataclass
class Started:
    year: SchoolYear
    carried: list = field(default_factory=list)


@transaction.atomic
def start_next_year(year, *, user, dates, today):
    """Create the year after `year` with `dates` (the form's windows and ESSA due date; an
    empty one takes the default) and carry the rest over. All or nothing, and only once."""
    # One start at a time per district: a second click waits here, then finds the year made.
    district = District.objects.select_for_update().get(pk=year.district_id)
    year.district = district
    check_can_start(year, today)
    new = SchoolYear(district=district, start_year=year.start_year + 1, **dates)
    new.full_clean()
    try:
        with transaction.atomic():
            new.save()
    except IntegrityError as error:  # started by someone else at the same moment
        raise ValidationError(
            f"{district}'s {new.name} school year has already been started.",
            code="already_started",
        ) from error
    carried = _district_lines(year) + _copy_cim_team(year, new)
    for carry in CARRY_OVERS:
        carried += carry.copy(year, new, user=user)
    audit.record(user, "school_year_started", new, summary=f"{new.name} started from {year.name}")
    return Started(new, carried)
