"""The team a school brings to a workshop, and who attended (seed 002: the same team that did
the SAMI; the district pays teachers' off-contract time, so it needs their names).

The head count stays consistent with the names: it is never below the number of people named
(a count typed lower is refused; naming more people raises it). The school names and changes
its team until the session starts; district staff record who came, named or added on the day.
Recording attendance moves the school's problem-solving step (meetings/problem_solving.py).
"""

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Prefetch

from schoolplan import clock

from . import problem_solving
from .models import RegistrationStatus, SamiTeamMember, TeamMember, WorkshopRegistration

MAX_TEAM = 60  # the registration form's largest head count
NAME_LENGTH = TeamMember._meta.get_field("name").max_length
ROLE_LENGTH = TeamMember._meta.get_field("role").max_length


def parse_team(text):
    """[(name, role)] from one person a line, "name, role" (the role is optional); a
    ValidationError naming each bad line."""
    people, errors = [], []
    for number, line in enumerate((text or "").splitlines(), start=1):
        if not line.strip():
            continue
        name, _comma, role = line.partition(",")
        name, role = " ".join(name.split()), " ".join(role.split())
        if not name:
            errors.append(f"Line {number}: give the person's name before the comma.")
        elif len(name) > NAME_LENGTH:
            errors.append(f"Line {number}: the name is longer than {NAME_LENGTH} characters.")
        elif len(role) > ROLE_LENGTH:
            errors.append(f"Line {number}: the role is longer than {ROLE_LENGTH} characters.")
        else:
            people.append((name, role))
    if len(people) > MAX_TEAM:
        errors.append(f"Name at most {MAX_TEAM} people.")
    if errors:
        raise ValidationError(errors)
    return people


def _lines(people):
    return "\n".join(f"{m.name}, {m.role}" if m.role else m.name for m in people)


def team_text(registration):
    """The team as the form shows it back: one person a line."""
    return _lines(m for m in registration.team.all() if not m.added_on_the_day)


def sami_team_text(school, school_year):
    """seed 002: the workshop team is the team that did the SAMI, so a registration's team box
    starts from the school's SAMI team of the series' year (the school changes it as it likes)."""
    return _lines(SamiTeamMember.objects.filter(sami__school=school, sami__school_year=school_year))


def check_head_count(people, team):
    if team and people is not None and people < len(team):
        raise ValidationError(
            {
                "people": f"You named {len(team)} people: the number attending must be at "
                f"least {len(team)}."
            }
        )


def _replace_named(registration, team):
    registration.team.filter(added_on_the_day=False).delete()
    TeamMember.objects.bulk_create(
        TeamMember(registration=registration, name=name, role=role) for name, role in team
    )


def name_team_at_registration(registration, team):
    """Called inside register(): the team named on the registration form."""
    if team:
        _replace_named(registration, team)


class StaleTeam(ValidationError):
    def __init__(self, registration):
        self.registration = registration
        super().__init__(
            f"{registration.school}'s team was changed since you opened the page (now "
            f"{registration.team.count()} named). Nothing of it was saved: see the team now "
            "shown and make your change again.",
            code="stale",
        )


def _lock(registration):
    return WorkshopRegistration.objects.select_for_update().get(pk=registration.pk)


@transaction.atomic
def set_team(registration, *, team, version, user):
    """The school names its team (replacing the names it gave). Returns how many people the
    head count was raised by (naming more people than the count raises it)."""
    current = _lock(registration)
    if current.team_version != version:
        raise StaleTeam(current)
    if not registration.open_to_the_school():
        raise ValidationError("The session has started: ask district staff to record who came.")
    _replace_named(current, team)
    raised = max(0, len(team) - current.people)
    WorkshopRegistration.objects.filter(pk=current.pk).update(
        team_version=F("team_version") + 1, people=max(current.people, len(team))
    )
    return raised


def registered_with_team(registrations):
    """Registered rows with their team in one more query (however many registrations)."""
    return registrations.filter(status=RegistrationStatus.REGISTERED).prefetch_related(
        Prefetch("team", queryset=TeamMember.objects.order_by("added_on_the_day", "pk"))
    )


@dataclass
class SchoolAttendance:
    """What district staff recorded for one registration."""

    registration: WorkshopRegistration
    version: int
    present: set  # ids of the named people who came
    school_came: bool  # ticked for a school that named nobody (or whose names are unknown)
    added: list  # [(name, role)] added on the day


@transaction.atomic
def record_attendance(session, records, *, user):
    """Save who came, per school; each school's part is refused alone if someone saved it
    since the page was opened (returned: the registrations refused). A school that came has
    its problem-solving step moved (meetings/problem_solving.py)."""
    refused = []
    for record in records:
        current = _lock(record.registration)
        if current.session_id != session.pk or current.status != RegistrationStatus.REGISTERED:
            continue
        if current.team_version != record.version:
            refused.append(current)
            continue
        current.team.update(attended=False)
        current.team.filter(pk__in=record.present).update(attended=True)
        TeamMember.objects.bulk_create(
            TeamMember(
                registration=current, name=name, role=role, added_on_the_day=True, attended=True
            )
            for name, role in record.added
        )
        current.attended = bool(record.school_came or record.present or record.added)
        current.team_version += 1
        current.save(update_fields=["attended", "team_version"])
        if current.attended:
            problem_solving.record_attended(current, user=user)
    return refused


def attendance_rows(series):
    """One row per person (or per school that came without names) for paying off-contract
    time: two queries whatever the number of registrations."""
    registrations = registered_with_team(
        series.registrations.select_related("school", "session__meeting__district")
    ).order_by("session__meeting__starts_at", "school__name", "pk")
    rows = []
    for registration in registrations:
        meeting = registration.session.meeting
        base = {
            "registration": registration,
            "school": registration.school.name,
            "starts": clock.local(meeting.starts_at, meeting.district),
            "ends": clock.local(meeting.ends_at, meeting.district),
            "hours": (meeting.ends_at - meeting.starts_at).total_seconds() / 3600,
        }
        team = list(registration.team.all())
        for person in team:
            rows.append(
                base
                | {
                    "name": person.name,
                    "role": person.role,
                    "attended": person.attended,
                    "added_on_the_day": person.added_on_the_day,
                }
            )
        if not team:
            rows.append(
                base
                | {
                    "name": "",
                    "role": f"No names given ({registration.people} people registered)",
                    "attended": registration.attended,
                    "added_on_the_day": False,
                }
            )
    return rows
