"""When CIM progress reports are due (seed 001): the periods of the district's monitoring
level (Intensive quarterly, Targeted twice a year, none without a CIM status), generated from
the school year and moved by district staff; and how each due stands on a day.

The package's other rooms: routing (where a report goes), content (what it says), workflow
(start, narrative, sign-off, checks before submission), render (the PDF, the confirmation and
the sending)."""

import copy
from dataclasses import dataclass
from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction

from schoolplan import cim_levels, clock
from schoolplan.models import District

from ..models import (
    PeriodKind,
    ProgressReport,
    ReportDue,
    ReportStatus,
)

DUE_AFTER_PERIOD = {4: 15, 2: 31}  # default days after a period ends, by reports per year


# --- Due dates ------------------------------------------------------------------------------
# The periods follow the CIM level in force (DOMAIN.md "CIM level per year"; the level's spans
# come from schoolplan/cim_levels.py): each span makes its quarters or halves of the year's grid,
# clipped to it, so a change ends the old schedule at the change and starts the new one. A
# period whose report is submitted stays exactly as it was and the schedule goes on after it. A
# year that is over keeps its periods as they are. One planner (plan_dues) serves the pages,
# the writes and the reminders.


def _add_months(day, months):
    month = day.month - 1 + months
    return date(day.year + month // 12, month % 12 + 1, 1)


@dataclass(frozen=True)
class Period:
    """A reporting period as a level makes it: a part of the year's grid (Quarter 2, Half 1),
    clipped to the span the level is in force (whole: not clipped)."""

    per_year: int
    part: int
    starts: date
    ends: date
    cim_status: str
    whole: bool = True

    @property
    def kind(self):
        return PeriodKind.QUARTER if self.per_year == 4 else PeriodKind.HALF

    @property
    def due_on(self):
        return self.ends + timedelta(days=DUE_AFTER_PERIOD[self.per_year])

    @property
    def label(self):
        name = f"{PeriodKind(self.kind).label} {self.part}"
        if self.whole:
            return name
        return f"{name} ({self.starts:%-d %b} – {self.ends:%-d %b})"


def periods_of(year, spans):
    """[Period] the level spans make in the year: Intensive quarters, Targeted halves, from 1
    July; clipped to each span, so while in CIM the year has no gap and no overlap."""
    periods = []
    for span in spans:
        count = span.reports_per_year
        if not count:
            continue
        length = 12 // count
        for part in range(1, count + 1):
            starts = _add_months(year.starts_on, length * (part - 1))
            ends = _add_months(starts, length) - timedelta(days=1)
            if ends < span.starts or starts > span.ends:
                continue
            clipped = (max(starts, span.starts), min(ends, span.ends))
            whole = clipped == (starts, ends)
            periods.append(Period(count, part, *clipped, span.status, whole))
    return periods


def default_periods(district, year):
    """[Period] of the year as the district's levels make it, nothing submitted yet."""
    return periods_of(year, cim_levels.levels_of(district, year))


def _grid_of(period):
    return period.per_year, period.part


def _around(period, fixed):
    """The parts of a period outside the submitted ones (which stay as they were)."""
    pieces = [period]
    for due in fixed:
        kept = []
        for piece in pieces:
            if due.period_ends < piece.starts or due.period_starts > piece.ends:
                kept.append(piece)
                continue
            if piece.starts < due.period_starts:
                ends = due.period_starts - timedelta(days=1)
                kept.append(Period(*_grid_of(piece), piece.starts, ends, piece.cim_status, False))
            if piece.ends > due.period_ends:
                starts = due.period_ends + timedelta(days=1)
                kept.append(Period(*_grid_of(piece), starts, piece.ends, piece.cim_status, False))
        pieces = kept
    return pieces


def _overlap(period, due):
    first, last = max(period.starts, due.period_starts), min(period.ends, due.period_ends)
    return (last - first).days + 1 if last >= first else 0


def _shape(due, period, *, keep_due_on=False):
    due.period_starts, due.period_ends = period.starts, period.ends
    due.kind, due.label, due.cim_status = period.kind, period.label, period.cim_status
    if not keep_due_on or due.due_on is None:
        due.due_on = period.due_on


def plan_dues(district, year, spans, existing, reported, submitted):
    """(the year's dues in order, the saved ones no longer needed) for the level spans, from
    the saved rows `existing` (ids of those with a report: `reported`; with a submitted one:
    `submitted`). Nothing is written: rows are changed in memory, new ones are unsaved.

    - A submitted period stays exactly as it was; the schedule goes on after it.
    - A saved period the levels still make (same dates, quarter or half) keeps its row and its
      due date (district staff may have moved it).
    - A draft follows the new period that covers most of its own (same start first): its text is
      never lost.
    - New periods take numbers after the highest the year has had, so a number never names two
      periods (the reminders know a period by it).
    """
    fixed = [due for due in existing if due.pk in submitted]
    free = {}
    for due in existing:
        if due.pk not in submitted:
            free.setdefault((due.period_starts, due.period_ends, due.kind), due)
    dues, unmatched = list(fixed), []
    for period in periods_of(year, spans):
        for piece in _around(period, fixed):
            due = free.pop((piece.starts, piece.ends, piece.kind), None)
            if due is None:
                unmatched.append(piece)
            else:
                _shape(due, piece, keep_due_on=True)
                dues.append(due)
    left = [due for due in existing if due.pk not in submitted and not any(due is d for d in dues)]
    for due in left:
        if due.pk not in reported:
            continue
        best = max(
            unmatched,
            key=lambda p, due=due: (p.starts == due.period_starts, _overlap(p, due)),
            default=None,
        )
        if best is not None and _overlap(best, due):
            unmatched.remove(best)
            _shape(due, best)
        dues.append(due)  # with no period left for it, it stays as it was: nothing is lost
    number = max((due.number for due in existing), default=0)
    for period in unmatched:
        number += 1
        due = ReportDue(district=district, school_year=year, number=number)
        _shape(due, period)
        dues.append(due)
    stale = [due for due in left if due.pk not in reported]
    return sorted(dues, key=lambda due: (due.period_starts, due.number)), stale


def _report_ids(existing):
    reported = {due.pk for due in existing if due.reports.all()}
    submitted = {due.pk for due in existing if any(r.is_submitted for r in due.reports.all())}
    return reported, submitted


def _planned(district, year, existing):
    if existing and clock.today(district) > year.ends_on:  # past years never change
        return sorted(existing, key=lambda due: (due.period_starts, due.number)), []
    spans = cim_levels.levels_of(district, year)
    return plan_dues(district, year, spans, existing, *_report_ids(existing))


_FIELDS = ("number", "period_starts", "period_ends", "due_on", "kind", "label", "cim_status")


@transaction.atomic
def ensure_due_dates(district, year):
    """The year's ReportDue rows, written as the levels make them (plan_dues)."""
    # One writer at a time per district (a level change, a report started, dates moved).
    District.objects.select_for_update().filter(pk=district.pk).first()
    existing = list(
        ReportDue.objects.filter(district=district, school_year=year)
        .select_for_update()
        .prefetch_related("reports")
    )
    before = {due.pk: tuple(getattr(due, name) for name in _FIELDS) for due in existing}
    dues, stale = _planned(district, year, existing)
    for due in stale:
        due.delete()
    for due in dues:
        if due.pk is None or before[due.pk] != tuple(getattr(due, name) for name in _FIELDS):
            due.save()
    return dues


def dues_for(district, year):
    """The year's periods as they stand, without writing (plan_dues): saved rows where the
    levels keep them, the new periods unsaved."""
    existing = list(
        ReportDue.objects.filter(district=district, school_year=year)
        .select_related("district")
        .prefetch_related("reports__signed_off_by")
    )
    return _planned(district, year, existing)[0]


def move_due_date(due, due_on):
    if due_on < due.period_ends:
        ends = f"{due.period_ends:%-d %b %Y}"
        raise ValidationError(
            {"due_on": f"A report cannot be due before its period ends ({ends})."}
        )
    due.due_on = due_on
    due.save(update_fields=["due_on"])
    return due


def _named(due):
    dates = f"{due.period_starts:%-d %b %Y} – {due.period_ends:%-d %b %Y}"
    return f"{due.label.split(' (')[0]} ({dates})"


def preview_level_change(district, year, spans):
    """[Change] a level change (the year's spans once changed) would make to the year's
    periods, for the confirmation (schoolplan/cim_levels.py). Nothing is written."""
    existing = list(
        ReportDue.objects.filter(district=district, school_year=year).prefetch_related("reports")
    )
    reported, submitted = _report_ids(existing)
    now, _ = _planned(district, year, [copy.copy(due) for due in existing])
    then, _ = plan_dues(
        district, year, spans, [copy.copy(due) for due in existing], reported, submitted
    )
    dates_now = {(due.period_starts, due.period_ends, due.kind) for due in now}
    dates_then = {(due.period_starts, due.period_ends, due.kind) for due in then}
    Change = cim_levels.Change
    changes = [
        Change("ends", f"{_named(due)}: dropped, no report is due for it.")
        for due in now
        if (due.period_starts, due.period_ends, due.kind) not in dates_then
    ]
    for due in then:
        due_on = f"due {due.due_on:%-d %b %Y}"
        if due.pk in submitted:
            changes.append(Change("stays", f"{_named(due)}: submitted, stays as it was."))
        elif (due.period_starts, due.period_ends, due.kind) in dates_now:
            changes.append(Change("kept", f"{_named(due)}: unchanged, {due_on}."))
        else:
            draft = " (its draft comes along)" if due.pk in reported else ""
            changes.append(Change("starts", f"{_named(due)}: new, {due_on}{draft}."))
    return changes


def check_level_change(district, year, effective_on):
    """seed 001 / DOMAIN.md: periods already submitted stay as they were, so a change of level
    cannot take effect before a submitted period ends."""
    latest = (
        ReportDue.objects.filter(
            district=district, school_year=year, reports__status=ReportStatus.SUBMITTED
        )
        .order_by("-period_ends")
        .first()
    )
    if latest is not None and effective_on < latest.period_ends:
        raise ValidationError(
            {
                "effective_on": f"The report for {_named(latest)} is submitted and stays as it "
                f"was: the change can take effect on {latest.period_ends:%-d %b %Y} at the "
                "earliest."
            }
        )


@dataclass
class DueState:
    due: ReportDue
    latest: ProgressReport | None
    state: str  # submitted / late / draft / due / overdue / upcoming
    message: str


def due_states(dues, today):
    """Where each period's report stands, from its newest version. A report is on time when it
    is submitted by the end of its due date in the district (DOMAIN.md, Time)."""
    states = []
    for due in dues:
        saved = due.pk is not None
        reports = sorted(due.reports.all(), key=lambda r: r.version, reverse=True) if saved else []
        latest = reports[0] if reports else None
        submitted = [r for r in reports if r.is_submitted]
        first_submission = min((r.submitted_at for r in submitted), default=None)
        if first_submission:
            submitted_on = clock.local_date(first_submission, due.district)
            on_time = submitted_on <= due.due_on
            state = "submitted" if on_time else "late"
            message = f"Submitted {submitted_on:%-d %b %Y}" + (
                "" if on_time else f", after the due date ({due.due_on:%-d %b %Y})"
            )
        elif today > due.due_on:
            state, message = "overdue", f"Overdue since {due.due_on:%-d %b %Y}"
        elif latest is not None:
            state, message = "draft", f"Draft; due {due.due_on:%-d %b %Y}"
        elif today >= due.period_starts:
            state, message = "due", f"Due {due.due_on:%-d %b %Y}"
        else:
            state, message = "upcoming", f"Due {due.due_on:%-d %b %Y}"
        states.append(DueState(due, latest, state, message))
    return states


# --- Routing --------------------------------------------------------------------------------


def level_in_force(due):
    """The monitoring level a period's report follows: the one it was made for, else the
    district's now (DOMAIN.md, 2026-12: the report schedule follows the status in force)."""
    return due.cim_status or due.district.cim_status


# --- Content --------------------------------------------------------------------------------


# --- Drafts, versions, sign-off ---------------------------------------------------------------


# --- Rendering and submission ----------------------------------------------------------------
