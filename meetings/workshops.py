"""Workshop rules (seed 002): who may register when, one registration per school per series,
capacity in schools by level (or per session), the waitlist and its promotions.

Every change to a series' registrations first locks the series row (SELECT … FOR UPDATE), so two
schools taking the last slot at the same moment are served one after the other: exactly one gets
it, the other joins the waitlist. Capacity is never checked outside that lock.
"""

from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction

from schoolplan import clock
from schoolplan.mail import queue_email
from schoolplan.models import Membership, Role
from schoolplan.rows import clock_time
from schoolplan.text import fit

from . import workshop_teams
from .models import (
    HostKind,
    Meeting,
    MeetingType,
    RegistrationStatus,
    WorkshopRegistration,
    WorkshopSeries,
    WorkshopSession,
    workshop_level_of,
)

RECOMMENDED_TEAM = 6  # seed 002: teams of 6 or more, the team that did the SAMI
ACTIVE = (RegistrationStatus.REGISTERED, RegistrationStatus.WAITLISTED)


def _day(value):
    return f"{value:%-d %B %Y}"


@transaction.atomic
def create_series(*, district, year, user, **fields):
    series = WorkshopSeries(district=district, school_year=year, created_by=user, **fields)
    series.full_clean()
    series.save()
    return series


@transaction.atomic
def add_session(series, *, user, day, starts, ends, place, level, capacity=None):
    # The times typed are the district's wall clock, whoever types them and wherever.
    starts_at = clock.at(day, starts, series.district)
    ends_at = clock.at(day, ends, series.district)
    if ends_at <= starts_at:
        raise ValidationError({"ends": "The session must end after it starts."})
    if series.level_capacity(level) is None and not capacity:
        raise ValidationError(
            {"capacity": "Give the session a capacity: the series sets none for this level."}
        )
    meeting = Meeting(
        district=series.district,
        host_kind=HostKind.DISTRICT,
        school_year=series.school_year,
        meeting_type=MeetingType.WORKSHOP,
        title=fit(Meeting, "title", f"{series.title} ({level})"),
        starts_at=starts_at,
        ends_at=ends_at,
        place=place,
        created_by=user,
    )
    meeting.full_clean()
    meeting.save()
    return WorkshopSession.objects.create(
        meeting=meeting, series=series, level=level, capacity=capacity or None
    )


def check_window(series, school, today):
    """Refuse a registration outside the windows, saying when it opens (seed 002: priority
    to schools with an ESSA designation)."""
    if today < series.registration_opens:
        raise ValidationError(
            f"Registration opens on {_day(series.registration_opens)}.", code="not_open"
        )
    if today > series.registration_closes:
        raise ValidationError(
            f"Registration closed on {_day(series.registration_closes)}.", code="closed"
        )
    if today <= series.priority_closes and not school.has_essa_designation:
        raise ValidationError(
            "Until "
            f"{_day(series.priority_closes)} registration is open to schools with an ESSA "
            "designation only. Your school can register from "
            f"{_day(series.priority_closes + timedelta(days=1))}.",
            code="priority_window",
        )


def _pool(series, session):
    """The registrations that share the session's capacity, and that capacity."""
    level_capacity = series.level_capacity(session.level)
    if level_capacity is not None:
        return (
            WorkshopRegistration.objects.filter(series=series, session__level=session.level),
            level_capacity,
        )
    return WorkshopRegistration.objects.filter(session=session), session.capacity or 0


def places_taken(series, session):
    """Why a registration went on the waitlist, in the words of what is full (seed 002: a
    series may cap each level, else each session has its own places)."""
    if series.level_capacity(session.level) is not None:
        return f"The {session.get_level_display().lower()} places of this series are taken"
    return "The places of this session are taken"


def waitlist_position(registration):
    """1 for the school next in line (the order promotions follow), else None."""
    if registration.status != RegistrationStatus.WAITLISTED:
        return None
    pool, _capacity = _pool(registration.series, registration.session)
    ahead = pool.filter(status=RegistrationStatus.WAITLISTED).filter(
        models.Q(created_at__lt=registration.created_at)
        | models.Q(created_at=registration.created_at, pk__lt=registration.pk)
    )
    return ahead.count() + 1


def _lock(series):
    return WorkshopSeries.objects.select_for_update().get(pk=series.pk)


def _validate_details(people):
    # The pre-work is not asked for here: it is given later, until the session (meetings.prework).
    if not people or people < 1:
        raise ValidationError({"people": "Say how many people will come (for the food)."})


@transaction.atomic
def register(
    series,
    *,
    school,
    session,
    user,
    people,
    dietary_notes="",
    prework="",
    prework_file=None,
    team=(),
    today=None,
):
    """Register the school, or put it on the waitlist when the slots are taken. The windows
    are read on the district's calendar (today: the district's today unless given)."""
    today = today or clock.today(school)
    series = _lock(series)
    check_window(series, school, today)
    if session.series_id != series.pk:
        raise ValidationError({"session": "Choose a session of this series."})
    if session.level != workshop_level_of(school):
        raise ValidationError(
            {"session": f"This session is for {session.get_level_display().lower()} schools."}
        )
    existing = WorkshopRegistration.objects.filter(
        series=series, school=school, status__in=ACTIVE
    ).first()
    if existing is not None:
        raise ValidationError(
            f"{school} is already {existing.get_status_display().lower()} for this series "
            f"(one registration per school): change that one instead.",
            code="already_registered",
            params={"registration": existing.pk},
        )
    _validate_details(people)
    workshop_teams.check_head_count(people, team)
    pool, capacity = _pool(series, session)
    taken = pool.filter(status=RegistrationStatus.REGISTERED).count()
    registration = WorkshopRegistration.objects.create(
        series=series,
        school=school,
        session=session,
        status=RegistrationStatus.REGISTERED if taken < capacity else RegistrationStatus.WAITLISTED,
        people=people,
        dietary_notes=dietary_notes.strip(),
        prework=prework.strip(),
        prework_file=prework_file or "",
        registered_by=user,
    )
    workshop_teams.name_team_at_registration(registration, team)
    return registration


@transaction.atomic
def update(registration, *, user, people, dietary_notes, today=None):
    today = today or clock.today(registration.series.district)
    _lock(registration.series)
    registration.refresh_from_db()
    if today > registration.series.registration_closes:
        raise ValidationError(
            f"Registration closed on {_day(registration.series.registration_closes)}: ask "
            "district staff to change it."
        )
    if registration.status == RegistrationStatus.CANCELLED:
        raise ValidationError("This registration was cancelled.")
    _validate_details(people)
    workshop_teams.check_head_count(people, registration.team.filter(added_on_the_day=False))
    registration.people = people
    registration.dietary_notes = dietary_notes.strip()
    registration.save(update_fields=["people", "dietary_notes"])
    return registration


@transaction.atomic
def cancel(registration, *, user, today=None):
    """Cancel; a freed slot goes to the first school on the waitlist, which is told by e-mail."""
    today = today or clock.today(registration.series.district)
    series = _lock(registration.series)
    registration.refresh_from_db()
    if today > series.registration_closes:
        raise ValidationError(
            f"Registration closed on {_day(series.registration_closes)}: ask district staff."
        )
    if registration.status == RegistrationStatus.CANCELLED:
        return None
    freed = registration.status == RegistrationStatus.REGISTERED
    registration.status = RegistrationStatus.CANCELLED
    registration.save(update_fields=["status"])
    if not freed:
        return None
    pool, capacity = _pool(series, registration.session)
    if pool.filter(status=RegistrationStatus.REGISTERED).count() >= capacity:
        return None
    promoted = (
        pool.filter(status=RegistrationStatus.WAITLISTED)
        .select_related("school", "session__meeting")
        .order_by("created_at", "pk")
        .first()
    )
    if promoted is None:
        return None
    promoted.status = RegistrationStatus.REGISTERED
    promoted.promoted_at = clock.now()
    promoted.save(update_fields=["status", "promoted_at"])
    addresses = set(
        Membership.objects.filter(
            school=promoted.school_id, role__in=(Role.PRINCIPAL, Role.SCHOOL_STAFF)
        ).values_list("user__email", flat=True)
    )
    if promoted.registered_by:
        addresses.add(promoted.registered_by.email)
    when = clock.local(promoted.session.meeting.starts_at, series.district)
    queue_email(
        f"workshop-promoted:{promoted.pk}",
        sorted(a for a in addresses if a),
        f"You have a place: {series.title}",
        f"A place opened up and {promoted.school} is now registered for {series.title} on "
        f"{when:%-d %B %Y} at {clock_time(when)} {when:%Z} ({promoted.session.meeting.place}), for "
        f"{promoted.people} people.\n\n{settings.SITE_URL}{promoted.get_absolute_url()}\n",
    )
    return promoted


@dataclass
class SessionRoster:
    session: WorkshopSession
    registered: list
    waitlisted: list

    @property
    def headcount(self):
        return sum(r.people for r in self.registered)


def rosters(series):
    """Per session: the registered schools (with their pre-work), the headcount for food, the
    waitlist (3 queries)."""
    registrations = list(
        series.registrations.exclude(status=RegistrationStatus.CANCELLED)
        .select_related("school", "session")
        .prefetch_related("prework_actions")
        .order_by("created_at", "pk")
    )
    out = []
    for session in series.sessions.select_related("meeting__district"):
        mine = [r for r in registrations if r.session_id == session.pk]
        out.append(
            SessionRoster(
                session,
                [r for r in mine if r.status == RegistrationStatus.REGISTERED],
                [r for r in mine if r.status == RegistrationStatus.WAITLISTED],
            )
        )
    return out


def designated_not_registered(series):
    """Schools with an ESSA designation that have not registered: the ones to chase."""
    registered = series.registrations.exclude(status=RegistrationStatus.CANCELLED).values(
        "school_id"
    )
    return (
        series.district.schools.exclude(essa_designation="none")
        .exclude(pk__in=registered)
        .order_by("name")
    )


def seats(series):
    """{level: (taken, capacity)} for a series with capacities by level."""
    out = {}
    for level in ("elementary", "secondary"):
        capacity = series.level_capacity(level)
        if capacity is not None:
            taken = series.registrations.filter(
                status=RegistrationStatus.REGISTERED, session__level=level
            ).count()
            out[level] = (taken, capacity)
    return out
