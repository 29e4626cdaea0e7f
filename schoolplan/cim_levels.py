"""The CIM monitoring level per school year (seed 001; DOMAIN.md "CIM level per year").

The state assigns a district its status (Targeted 1–3, Intensive 1–3) for a school year, and may
change it during the year. Each CimLevel says "from this day on, this status"; the status in
force on a day is that of the latest level on or before it, and a district with none is not in
CIM. So a new school year starts with the status in force at the end of the old one, until
district staff record another.

A change:
- takes effect in a school year that is set up and not over: past years never change;
- cannot take effect before the end of a period whose progress report is already submitted
  (those stay exactly as they were);
- ends the old schedule at the change and starts the new one (what follows the level, the
  progress-report periods, registers a Follower here, so the core imports no app above it);
- is made in one transaction with the district's row locked, and written to the audit log.

Everything else reads the level through level_on / levels_of (District.cim_status is the level
in force today in the district's time zone): nothing keeps a copy of it.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import OuterRef, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils.dateformat import format as format_date

from . import audit, clock
from .models import CimLevel, CimStatus, District, SchoolYear, reports_per_year

ONE_DAY = timedelta(days=1)
NOTE_LENGTH = 300


def _day(day):
    return format_date(day, "j M Y")


# --- Reading the level -----------------------------------------------------------------------


def _timeline(district):
    """The district's levels, oldest first, read once per District instance."""
    cached = district.__dict__.get("_cim_timeline")
    if cached is None:
        cached = []
        if district.pk is not None:
            cached = list(
                CimLevel.objects.filter(district=district.pk)
                .select_related("set_by")
                .order_by("effective_on")
            )
        district.__dict__["_cim_timeline"] = cached
    return cached


def forget(district):
    """Drop what a District instance read of its levels (after a change)."""
    district.__dict__.pop("_cim_timeline", None)


def _in_force(levels, day):
    found = None
    for level in levels:
        if level.effective_on > day:
            break
        found = level
    return found


def _status(level):
    return level.status if level is not None else CimStatus.NONE


def level_on(district, day):
    """The district's monitoring status (a CimStatus value) in force on day."""
    return _status(_in_force(_timeline(district), day))


@dataclass(frozen=True)
class Span:
    """Part of a school year under one status: from `starts` to `ends`, both included."""

    status: str
    starts: date
    ends: date
    level: CimLevel | None = None  # the level that began it (None: never in CIM before)

    @property
    def label(self):
        return CimStatus(self.status).label

    @property
    def reports_per_year(self):
        return reports_per_year(self.status)

    @property
    def set_here(self):
        """The level was recorded by someone, to begin on this span's first day."""
        level = self.level
        return bool(level is not None and level.set_by_id and level.effective_on == self.starts)


def _spans(levels, starts, ends):
    """The spans of [starts, ends] under `levels` (oldest first); a level repeating the status
    in force continues the span."""
    current = _in_force(levels, starts)
    spans, day = [], starts
    for level in levels:
        if level.effective_on <= starts or level.status == _status(current):
            continue
        if level.effective_on > ends:
            break
        spans.append(Span(_status(current), day, level.effective_on - ONE_DAY, current))
        current, day = level, level.effective_on
    spans.append(Span(_status(current), day, ends, current))
    return spans


def levels_of(district, year):
    """[Span] of the school year (a SchoolYear, saved or not): the status in force on its first
    day, then each change, covering the year with no gap and no overlap."""
    return _spans(_timeline(district), year.starts_on, year.ends_on)


def spans_by_district(years):
    """{district id: [Span] of its year} for {district id: SchoolYear} (1 query)."""
    levels = {}
    for level in CimLevel.objects.filter(district__in=list(years)).order_by("effective_on"):
        levels.setdefault(level.district_id, []).append(level)
    return {
        district_id: _spans(levels.get(district_id, []), year.starts_on, year.ends_on)
        for district_id, year in years.items()
    }


def statuses_today(zones):
    """{district id: the status in force today there} for {district id: its zone name}
    (1 query): each district's today is read on its own calendar (DOMAIN.md, Time)."""
    today = {district_id: clock.today(zone) for district_id, zone in zones.items()}
    found = dict.fromkeys(zones, CimStatus.NONE)
    rows = (
        CimLevel.objects.filter(district__in=list(zones))
        .order_by("effective_on")
        .values_list("district_id", "effective_on", "status")
    )
    for district_id, effective_on, status in rows:
        if effective_on <= today[district_id]:
            found[district_id] = status
    return found


def status_in_force(day, district="pk"):
    """The status in force on day, as a query expression on a District queryset (or on another
    model, naming the path to the district's id)."""
    latest = (
        CimLevel.objects.filter(district=OuterRef(district), effective_on__lte=day)
        .order_by("-effective_on")
        .values("status")[:1]
    )
    return Coalesce(Subquery(latest), Value(CimStatus.NONE))


def summary(spans):
    """What the level is over a year and what changed when, in one line: "Intensive level 2
    until 31 Dec 2026; Targeted level 1 from 1 Jan 2027, set by Gloria Estrada on 5 Jan 2027"."""
    parts = []
    for position, span in enumerate(spans):
        if len(spans) == 1:
            text = f"{span.label} all year"
        elif position == 0:
            text = f"{span.label} until {_day(span.ends)}"
        elif position == len(spans) - 1:
            text = f"{span.label} from {_day(span.starts)}"
        else:
            text = f"{span.label} from {_day(span.starts)} until {_day(span.ends)}"
        if span.set_here:
            text += f", set by {span.level.set_by} on {_day(clock.local_date(span.level.set_at))}"
        parts.append(text)
    return "; ".join(parts)


def version(district):
    """A token of the district's levels as read: a confirmation made from an older reading is
    refused (someone else changed the level meanwhile)."""
    levels = _timeline(district)
    latest = max((level.set_at for level in levels), default=None)
    return f"{len(levels)}:{latest.isoformat() if latest else ''}"


# --- What follows the level ------------------------------------------------------------------


@dataclass(frozen=True)
class Follower:
    """Something a level change reshapes (the progress-report periods):
    check(district, year, effective_on) raises ValidationError when the change may not take
    effect then; preview(district, year, spans after) -> [Change] says what would change (read
    only); apply(district, year) brings the year in line with the levels on record."""

    check: Callable
    preview: Callable
    apply: Callable


FOLLOWERS = []


def register_follower(check, preview, apply):
    FOLLOWERS.append(Follower(check, preview, apply))


@dataclass(frozen=True)
class Change:
    """One line of a preview: what = "stays" (submitted, kept as it was), "ends" (ends at the
    change or is replaced), "starts" (begins with the new status) or "kept" (unchanged)."""

    what: str
    text: str


# --- Changing it -----------------------------------------------------------------------------


@dataclass
class Proposal:
    """A change as checked: the year it falls in, its spans before and after, what follows."""

    district: District
    year: SchoolYear
    status: str
    effective_on: date
    note: str
    before: list
    after: list
    replaces: CimLevel | None  # the level already on record for that day, if any
    changes: list = field(default_factory=list)  # [Change] of the year
    later_years: list = field(default_factory=list)  # later years set up that follow too

    @property
    def label(self):
        return CimStatus(self.status).label

    @property
    def years(self):
        return [self.year, *self.later_years]


def _refusal(district, status, effective_on, note):
    errors = {}
    if status not in CimStatus.values:
        errors["status"] = "Choose a monitoring status from the list."
    if effective_on is None:
        errors["effective_on"] = "Enter the day the status takes effect."
    if len(note) > NOTE_LENGTH:
        errors["note"] = f"Keep the note to {NOTE_LENGTH} characters (it has {len(note)})."
    return ValidationError(errors) if errors else None


def propose(district, *, status, effective_on, note="", user=None, seen=None, today=None):
    """Check a change (nothing is written) and say what it would do. ValidationError names the
    field at fault: status, effective_on, note, or none (someone changed the level meanwhile)."""
    note = (note or "").strip()
    refusal = _refusal(district, status, effective_on, note)
    if refusal is not None:
        raise refusal
    today = today or clock.today(district)
    start_year = SchoolYear.start_year_containing(effective_on)
    name = f"{start_year}-{(start_year + 1) % 100:02d}"
    year = SchoolYear.objects.filter(district=district, start_year=start_year).first()
    if year is None:
        raise ValidationError(
            {
                "effective_on": f"{_day(effective_on)} is in {name}, which is not set up for "
                f"{district}: add that school year on the district page first."
            }
        )
    if today > year.ends_on:
        raise ValidationError(
            {
                "effective_on": f"{_day(effective_on)} is in {name}, which is over (it ended on "
                f"{_day(year.ends_on)}): past years never change."
            }
        )
    if seen is not None and seen != version(district):
        raise ValidationError(
            "Someone else changed the monitoring level meanwhile: check the change again "
            "against the level now on record."
        )
    levels = _timeline(district)
    if level_on(district, effective_on) == status:
        raise ValidationError(
            {"status": f"{CimStatus(status).label} is already in force on {_day(effective_on)}."}
        )
    for follower in FOLLOWERS:
        follower.check(district, year, effective_on)
    replaces = next((level for level in levels if level.effective_on == effective_on), None)
    new = CimLevel(
        district=district,
        status=status,
        effective_on=effective_on,
        set_by=user if getattr(user, "pk", None) else None,
        set_at=clock.now(),
        note=note,
    )
    after_levels = sorted(
        [level for level in levels if level is not replaces] + [new],
        key=lambda level: level.effective_on,
    )
    proposal = Proposal(
        district=district,
        year=year,
        status=status,
        effective_on=effective_on,
        note=note,
        before=_spans(levels, year.starts_on, year.ends_on),
        after=_spans(after_levels, year.starts_on, year.ends_on),
        replaces=replaces,
    )
    for later in SchoolYear.objects.filter(district=district, start_year__gt=start_year):
        if _spans(levels, later.starts_on, later.ends_on) != _spans(
            after_levels, later.starts_on, later.ends_on
        ):
            proposal.later_years.append(later)
    for follower in FOLLOWERS:
        proposal.changes += follower.preview(district, year, proposal.after)
    return proposal


@transaction.atomic
def change_level(district, *, status, effective_on, user, note="", seen=None):
    """Record that `status` is in force from `effective_on` (checked as propose() does), and
    reshape what follows the level in that year and the later years that inherit it."""
    # One change at a time per district: a second waits here, then is checked against the first.
    locked = District.objects.select_for_update().get(pk=district.pk)
    proposal = propose(
        locked, status=status, effective_on=effective_on, note=note, user=user, seen=seen
    )
    level, _ = CimLevel.objects.update_or_create(
        district=locked,
        effective_on=effective_on,
        defaults={
            "status": status,
            "set_by": user if getattr(user, "pk", None) else None,
            "set_at": clock.now(),
            "note": proposal.note,
        },
    )
    forget(locked)
    forget(district)
    for year in proposal.years:
        for follower in FOLLOWERS:
            follower.apply(locked, year)
    was = (
        f" (was {proposal.replaces.get_status_display()} from that day)"
        if proposal.replaces
        else ""
    )
    audit.record(
        user,
        "cim_level_changed",
        level,
        summary=f"{locked}: {level.get_status_display()} from {_day(effective_on)} "
        f"({proposal.year.name}){was}; {summary(levels_of(locked, proposal.year))}",
    )
    return proposal


def record_level(district, status, effective_on, *, user=None, note=""):
    """Put a level on record without the checks of a change: a new district's status, the demo,
    the tests' set-up. Never for a change in a year under way (use change_level)."""
    level, _ = CimLevel.objects.update_or_create(
        district=district,
        effective_on=effective_on,
        defaults={"status": status, "set_by": user, "set_at": clock.now(), "note": note},
    )
    forget(district)
    return level
