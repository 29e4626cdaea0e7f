"""CIM progress reports (seed 001): when they are due, where they go, what they say, and how a
submitted one is frozen.

- Due dates come from the district's monitoring status: Intensive quarterly, Targeted twice a
  year, none without a CIM status. They are generated from the school year (defaults below) and
  district staff may move them.
- The report's content is built from the Plan for Improvement, the monthly reviews and the
  measurements of the period: aggregates only (no pupil-level data exists in these models).
  The team edits the narrative parts (summary, barriers, next steps per strategy).
- Submitting: a period's report goes after the period ends (or early, if district staff allow
  it), signed off by the lead, with every address of its routing on record. The PDF is rendered
  from a frozen copy of the content (a Celery task) for the lead to confirm: recipients,
  attachment, hash; the confirmed PDF is what is stored, with its SHA-256, and e-mailed (outbox,
  retried) from DEFAULT_FROM_EMAIL, answers to the CIM lead, who is copied.
"""

import copy
import hashlib
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from datetime import date, timedelta
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max, Prefetch
from django.urls import reverse
from django.utils.dateparse import parse_date

from meetings.models import Meeting, MeetingStatus, MeetingType
from plans.models import Activity, Outcome, PlanForImprovement, Strategy
from schoolplan import audit, cim_levels, clock
from schoolplan.mail import queue_email
from schoolplan.models import INTENSIVE_STATUSES, CimStatus, District
from schoolplan.pdf import render_pdf

from .models import (
    ActivityReview,
    Measurement,
    PeriodKind,
    ProgressReport,
    RenderJob,
    RenderJobStatus,
    ReportDue,
    ReportStatus,
)

# The state copy addresses (DOMAIN.md, CIM: where progress reports go).
TARGETED_COPY = "targetedmonitoring@cde.ca.gov"
INTENSIVE_COPY = "intensivemonitoring@cde.ca.gov"
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


@dataclass
class Recipient:
    who: str
    address: str
    field: str = ""  # the District field the address comes from; "" for the state's copies


def recipients_for(district, status, *, send_to_selpa=False):
    """(what the page says, [Recipient]) for a monitoring level (DOMAIN.md, CIM)."""
    consultant = Recipient(
        f"CDE FMTA consultant ({district.cde_consultant_name or 'not named'})",
        district.cde_consultant_email,
        "cde_consultant_email",
    )
    selpa = Recipient(
        f"SELPA ({district.selpa_name or 'not named'})",
        district.selpa_contact_email,
        "selpa_contact_email",
    )
    if status in (CimStatus.INTENSIVE_1, CimStatus.INTENSIVE_2, CimStatus.INTENSIVE_3):
        return (
            "Intensive: the report goes to the CDE FMTA consultant, with a copy to "
            f"{INTENSIVE_COPY}.",
            [consultant, Recipient("CDE intensive monitoring (copy)", INTENSIVE_COPY)],
        )
    if status == CimStatus.TARGETED_3:
        return (
            "Targeted 3: the report goes to the CDE FMTA consultant, with a copy to "
            f"{TARGETED_COPY}.",
            [consultant, Recipient("CDE targeted monitoring (copy)", TARGETED_COPY)],
        )
    if status == CimStatus.TARGETED_2:
        return (
            "Targeted 2: the report goes to the SELPA, on the SELPA's form if the team attaches "
            "it, with all the template's information.",
            [selpa],
        )
    if status == CimStatus.TARGETED_1:
        if send_to_selpa:
            return ("Targeted 1: the LEA keeps its report, and sends it to the SELPA.", [selpa])
        return (
            "Targeted 1: the LEA keeps its report; the SELPA may require it (you can send it).",
            [],
        )
    return ("No CIM status: no progress report is due.", [])


def routing(district, *, send_to_selpa=False, due=None):
    """(what the page says, [(who, address)]) for the level in force: the period's (due), else
    the district's."""
    status = level_in_force(due) if due is not None else district.cim_status
    headline, recipients = recipients_for(district, status, send_to_selpa=send_to_selpa)
    return headline, [(r.who, r.address) for r in recipients]


def report_routing(report):
    """Where this report goes: the level in force for its period, its SELPA box."""
    due = report.due
    return recipients_for(due.district, level_in_force(due), send_to_selpa=report.send_to_selpa)


def cim_lead(report):
    """The CIM lead of the period's year (the team's lead, else whoever signed it off): the
    report e-mail's Reply-To, and copied."""
    from meetings.cim import team_for

    team = team_for(report.due.district, report.due.school_year)
    return team.lead if team is not None else report.signed_off_by


# --- Content --------------------------------------------------------------------------------


def _text(value):
    return "" if value is None else str(value)


def _review_notes(reviews):
    """The latest review's barriers and next steps per activity (the period's newest word)."""
    notes = {}
    for review in sorted(reviews, key=lambda r: (r.review.starts_at, r.pk)):
        notes[review.activity_id] = review
    return notes


def build_content(report):
    """Everything the report says, as plain data (JSON): frozen into the report on submission.
    Its days are the district's (DOMAIN.md, Time)."""
    with clock.zone(report.due.district):
        return _content(report)


def _content(report):
    due = report.due
    district = due.district
    level = level_in_force(due)
    intensive = level in INTENSIVE_STATUSES
    plan = PlanForImprovement.objects.filter(district=district, school_year=due.school_year).first()
    starts, ends = due.period_starts, due.period_ends
    reviews = Meeting.objects.filter(
        district=district,
        meeting_type=MeetingType.CIM_REVIEW,
        status=MeetingStatus.HELD,
        starts_at__date__gte=starts,
        starts_at__date__lte=ends,
    ).order_by("starts_at")
    review_list = list(reviews)
    activity_reviews = list(
        ActivityReview.objects.filter(review__in=review_list).select_related("review")
    )
    by_activity = _review_notes(activity_reviews)
    strategies = []
    if plan is not None:
        outcomes = Outcome.objects.select_related("metric").prefetch_related(
            Prefetch(
                "metric__measurements",
                Measurement.objects.filter(date__lte=ends).order_by("date", "pk"),
            )
        )
        activities = Activity.objects.select_related("owner").prefetch_related(
            Prefetch("outcomes", outcomes)
        )
        for strategy in plan.strategies.prefetch_related(Prefetch("activities", activities)):
            narrative = report.narratives.get(str(strategy.pk), {})
            items = []
            for activity in strategy.activities.all():
                review = by_activity.get(activity.pk)
                outcome_rows = []
                for outcome in activity.outcomes.all():
                    metric = getattr(outcome, "metric", None)
                    outcome_rows.append(
                        {
                            "description": outcome.description,
                            "metric": _metric_data(metric, starts, ends) if metric else None,
                        }
                    )
                items.append(
                    {
                        "title": activity.title,
                        "owner": activity.owner.display_name if activity.owner else "",
                        "status": (
                            review.get_status_display() if review else activity.get_status_display()
                        ),
                        "reviewed": review.review.local_date.isoformat() if review else "",
                        "outcomes": outcome_rows,
                    }
                )
            strategies.append(
                {
                    "id": strategy.pk,
                    "title": strategy.title,
                    "description": strategy.description,
                    "activities": items,
                    "barriers": narrative.get("barriers", ""),
                    "next_steps": narrative.get("next_steps", ""),
                    "ta_sessions": [
                        {"date": s.date.isoformat(), "provider": s.provider, "topic": s.topic}
                        for s in strategy.ta_sessions.filter(date__gte=starts, date__lte=ends)
                    ]
                    if intensive
                    else [],
                }
            )
    headline, recipients = report_routing(report)
    lead = cim_lead(report)
    selpa_form = None
    if level == CimStatus.TARGETED_2 and report.selpa_form_name:
        selpa_form = {
            "name": report.selpa_form_name,
            "type": report.selpa_form_type,
            "sha256": report.selpa_form_sha256,
        }
        headline += (
            " The SELPA's own form is attached and sent; this PDF is the LEA's record of all "
            "the template's information."
        )
    return {
        "lea": {
            "name": district.name,
            "status": CimStatus(level).label,
            "intensive": intensive,
            "selpa": district.selpa_name,
            "consultant": district.cde_consultant_name,
            "time_zone": district.time_zone,
        },
        "period": {
            "label": due.label,
            "year": due.school_year.name,
            "starts": starts.isoformat(),
            "ends": ends.isoformat(),
            "due": due.due_on.isoformat(),
        },
        "version": report.version,
        "corrects": report.corrects.version if report.corrects_id else None,
        "prepared_by": report.prepared_by.display_name if report.prepared_by else "",
        "signed_off_by": report.signed_off_by.display_name if report.signed_off_by else "",
        "signed_off_at": clock.local(report.signed_off_at).isoformat()
        if report.signed_off_at
        else "",
        "summary": report.summary,
        "reviews_held": [clock.local_date(m.starts_at).isoformat() for m in review_list],
        "strategies": strategies,
        "routing": headline,
        "recipients": [[r.who, r.address] for r in recipients],
        # Answers go to the CIM lead, who is copied (issue 18).
        "cim_lead": {"name": lead.display_name, "email": lead.email} if lead else None,
        "selpa_form": selpa_form,
    }


def _metric_data(metric, starts, ends):
    values = [
        {"date": m.date.isoformat(), "value": str(m.value)} for m in metric.measurements.all()
    ]
    in_period = [v for v in values if v["date"] >= starts.isoformat()]
    return {
        "name": metric.name,
        "unit": metric.unit,
        "baseline": str(metric.baseline),
        "baseline_date": metric.baseline_date.isoformat() if metric.baseline_date else "",
        "target": str(metric.target),
        "target_date": metric.target_date.isoformat(),
        "direction": metric.direction,
        "values": values,
        "in_period": in_period,
    }


def strategy_ids(report):
    """The High-Leverage Strategies the report speaks of (its narrative is kept per strategy):
    one query, not the whole report's content."""
    return list(
        Strategy.objects.filter(
            plan__district=report.due.district_id, plan__school_year=report.due.school_year_id
        ).values_list("pk", flat=True)
    )


def prefill(report):
    """The narrative parts, from the period's reviews: barriers and next steps per strategy."""
    due = report.due
    with clock.zone(due.district):  # the period's days are the district's
        return _prefill(report, due)


def _prefill(report, due):
    reviews = ActivityReview.objects.filter(
        review__district=due.district,
        review__status=MeetingStatus.HELD,
        review__starts_at__date__gte=due.period_starts,
        review__starts_at__date__lte=due.period_ends,
    ).select_related("review", "activity")
    latest = _review_notes(list(reviews))
    narratives = {}
    for strategy_id in strategy_ids(report):
        parts = [r for r in latest.values() if r.activity.strategy_id == strategy_id]
        narratives[str(strategy_id)] = {
            "barriers": "\n".join(f"{r.activity.title}: {r.barriers}" for r in parts if r.barriers),
            "next_steps": "\n".join(
                f"{r.activity.title}: {r.next_steps}" for r in parts if r.next_steps
            ),
        }
    return narratives


# --- Drafts, versions, sign-off ---------------------------------------------------------------


@transaction.atomic
def start_report(due, *, user):
    """Version 1 of the period's report, or a correction of its newest submitted version."""
    newest = due.reports.order_by("-version").first()
    if newest is not None and not newest.is_submitted:
        return newest
    version = (due.reports.aggregate(top=Max("version"))["top"] or 0) + 1
    report = ProgressReport(due=due, version=version, corrects=newest, prepared_by=user)
    if newest is not None:  # a correction starts from what was submitted
        report.summary, report.narratives = newest.summary, newest.narratives
        report.send_to_selpa = newest.send_to_selpa
        report.selpa_form, report.selpa_form_name = newest.selpa_form, newest.selpa_form_name
        report.selpa_form_type = newest.selpa_form_type
        report.selpa_form_sha256 = newest.selpa_form_sha256
    else:
        report.narratives = prefill(report)
    report.save()
    return report


def save_narrative(report, *, summary, narratives, send_to_selpa):
    if report.is_submitted:
        raise ValidationError("The report is submitted: start a correction to change it.")
    report.summary = summary.strip()
    report.narratives = narratives
    report.send_to_selpa = send_to_selpa
    # Any change after the lead's sign-off needs their sign-off again.
    report.signed_off_by = report.signed_off_at = None
    report.save()
    return report


@transaction.atomic
def sign_off(report, *, user, edit_version=None):
    """The lead signs off the draft as they saw it: edit_version, when given, is the one their
    page showed (with their own save); a newer one is someone else's, to be read first."""
    report = ProgressReport.objects.select_for_update().get(pk=report.pk)
    if report.is_submitted:
        raise ValidationError("The report is already submitted.")
    if edit_version is not None and edit_version != report.edit_version:
        by = max(report.part_edits.values(), key=lambda e: e.get("edit", 0), default={})
        raise ValidationError(
            f"Not signed off: {by.get('name') or 'someone'} changed the report after you opened "
            "it. Read their changes below, then sign off."
        )
    report.signed_off_by, report.signed_off_at = user, clock.now()
    report.save(update_fields=["signed_off_by", "signed_off_at"])
    return report


# --- Rendering and submission ----------------------------------------------------------------


class _ChartMetric:
    """A metric as the chart renderer reads it, from frozen content."""

    def __init__(self, data):
        self.name, self.unit, self.direction = data["name"], data["unit"], data["direction"]
        self.baseline, self.target = Decimal(data["baseline"]), Decimal(data["target"])
        self.target_date = parse_date(data["target_date"])
        self.baseline_date = parse_date(data["baseline_date"]) if data["baseline_date"] else None
        self.path_starts = self.baseline_date or self.target_date - timedelta(days=365)


@dataclass
class _Point:
    date: date
    value: Decimal
    pk: int = 0


def pdf_context(content):
    """The template's context: the frozen content, with each metric's chart drawn."""
    from .charts import trend_svg

    content = copy.deepcopy(content)  # the frozen content itself stays chart-free JSON
    for s, strategy in enumerate(content["strategies"]):
        for a, activity in enumerate(strategy["activities"]):
            for o, outcome in enumerate(activity["outcomes"]):
                data = outcome["metric"]
                if data:
                    points = [
                        _Point(parse_date(v["date"]), Decimal(v["value"])) for v in data["values"]
                    ]
                    outcome["chart"] = trend_svg(
                        _ChartMetric(data), points, chart_id=f"chart-{s}-{a}-{o}"
                    )
    return {"report": content}


def render(content):
    lea, period = content["lea"], content["period"]
    # In the district's zone, wherever the worker runs (content frozen before it named its zone:
    # the zone active here).
    with clock.zone(lea.get("time_zone")):
        return render_pdf(
            "progress/report_pdf.html",
            pdf_context(content),
            title=f"CIM progress report – {lea['name']} – {period['label']} {period['year']}",
            author=content["prepared_by"] or lea["name"],
            variant="pdf/ua-1",
        )


@dataclass
class Problem:
    """Something that stops a submission, and where it is put right."""

    message: str
    link: str = ""
    link_text: str = ""


def submission_problems(report, today):
    """Why the report cannot be submitted today (the district's day), or []: the one home of
    the submission rules, read by the report page, the confirmation page and request_render."""
    due, district = report.due, report.due.district
    if report.is_submitted:
        return [Problem("The report is already submitted.")]
    problems = []
    # DOMAIN.md, 2026-12: a period's report is submitted after the period ends.
    if today <= due.period_ends and due.early_submission_allowed_at is None:
        problems.append(
            Problem(
                f"{due.label} ends on {due.period_ends:%-d %b %Y}: its report can be submitted "
                f"from {due.period_ends + timedelta(days=1):%-d %b %Y}, unless district staff "
                "allow early submission for this period."
            )
        )
    if report.signed_off_by_id is None:
        problems.append(Problem("The CIM lead signs the report off before it is submitted."))
    # DOMAIN.md, 2026-12: the routing addresses must exist before submission.
    _, recipients = report_routing(report)
    for recipient in recipients:
        if recipient.address:
            continue
        label = District._meta.get_field(recipient.field).verbose_name
        why = (
            "“Also send it to the SELPA” is ticked"
            if level_in_force(due) == CimStatus.TARGETED_1
            else f"the report goes to the {recipient.who.split(' (')[0]}"
        )
        problems.append(
            Problem(
                f"The district has no “{label}” on record, and {why}: nothing could be sent. "
                "District staff fill it in on the district's page.",
                link=reverse("district_edit", args=[district.pk]) + f"#id_{recipient.field}",
                link_text=f"Fill in “{label}”",
            )
        )
    return problems


@transaction.atomic
def allow_early_submission(due, *, user):
    """District staff let this period's report go before the period ends (audited)."""
    due = ReportDue.objects.select_for_update().get(pk=due.pk)
    if due.early_submission_allowed_at is None:
        due.early_submission_allowed_by, due.early_submission_allowed_at = user, clock.now()
        due.save(update_fields=["early_submission_allowed_by", "early_submission_allowed_at"])
        audit.record(
            user,
            "progress-report-early-submission-allowed",
            due,
            summary=f"{due} may be submitted before {due.period_ends:%-d %b %Y}",
        )
    return due


@transaction.atomic
def request_render(report, *, user, submit=False, confirm=False):
    """Queue a preview, the rendering the lead confirms (confirm), or a submission without the
    confirmation step (submit: the demo); returns the job (done when Celery is eager)."""
    report = ProgressReport.objects.select_for_update().get(pk=report.pk)
    if report.is_submitted:
        raise ValidationError("The report is already submitted.")
    if submit or confirm:
        problems = submission_problems(report, clock.today(report.due.district))
        if problems:
            raise ValidationError([problem.message for problem in problems])
        if report.jobs.filter(submit=True, status__in=("waiting", "rendering")).exists():
            raise ValidationError("The report is being submitted already.")
    job = RenderJob.objects.create(
        report=report,
        submit=submit,
        for_confirmation=confirm,
        content=build_content(report),
        requested_by=user,
    )
    from .tasks import render_report

    transaction.on_commit(lambda: render_report.delay(job.pk))
    return job


def run_job(job_id):
    """The task's work: render the job's PDF; for a submission, freeze the report and send it."""
    with transaction.atomic():
        job = RenderJob.objects.select_for_update().get(pk=job_id)
        if job.status != RenderJobStatus.WAITING:
            return job  # a retry or a second delivery of the task: already done
        job.status = RenderJobStatus.RENDERING
        job.save(update_fields=["status"])
    try:
        pdf = render(job.content)
    except Exception as error:
        RenderJob.objects.filter(pk=job.pk).update(
            status=RenderJobStatus.FAILED, error=str(error)[:2000], finished_at=clock.now()
        )
        raise
    with transaction.atomic():
        if job.submit:
            _freeze(job, pdf)
        RenderJob.objects.filter(pk=job.pk).update(
            status=RenderJobStatus.DONE, pdf=pdf, finished_at=clock.now()
        )
    job.refresh_from_db()
    return job


@dataclass
class Attachment:
    name: str
    mimetype: str
    size: int
    sha256: str


@dataclass
class Confirmation:
    """What the lead confirms: where it goes, who answers, what is attached, the PDF's hash."""

    job: RenderJob | None
    problems: list
    changed: bool = False  # the report changed after this rendering: confirm again
    headline: str = ""
    recipients: list = dataclass_field(default_factory=list)
    lead: dict | None = None
    attachments: list = dataclass_field(default_factory=list)
    pdf_sha256: str = ""
    record_only: bool = False  # the PDF is kept as the record, not sent (the SELPA's form is)


def pdf_name(content):
    period = content["period"]
    name = f"cim-progress-report-{period['year']}-{period['label']}"
    return name.lower().replace(" ", "-") + f"-v{content['version']}.pdf"


def confirmation(report, job, today):
    """The confirmation page's facts for the job the lead asked for (None: not rendered yet)."""
    problems = submission_problems(report, today)
    if job is None or job.status != RenderJobStatus.DONE:
        return Confirmation(job, problems)
    content, pdf = job.content, bytes(job.pdf)
    sha = hashlib.sha256(pdf).hexdigest()
    attachments = [Attachment(pdf_name(content), "application/pdf", len(pdf), sha)]
    form = content.get("selpa_form")
    if form:
        size = len(report.selpa_form or b"")
        attachments = [Attachment(form["name"], form["type"], size, form["sha256"])]
    return Confirmation(
        job,
        problems,
        changed=content != build_content(report),
        headline=content["routing"],
        recipients=content["recipients"],
        lead=content.get("cim_lead"),
        attachments=attachments,
        pdf_sha256=sha,
        record_only=bool(form),
    )


class ContentChanged(ValidationError):
    """The report changed between the confirmation and the submission."""


@transaction.atomic
def submit_confirmed(report, *, job_id, user):
    """Submit what the lead confirmed: the confirmation's PDF itself, so the hash they saw is
    the hash submitted; refused if anything the report says changed since."""
    report = ProgressReport.objects.select_for_update().get(pk=report.pk)
    if report.is_submitted:
        raise ValidationError("The report is already submitted.")
    job = report.jobs.filter(pk=job_id, for_confirmation=True, status=RenderJobStatus.DONE).first()
    if job is None:
        raise ValidationError("Nothing was confirmed: render the report for submission first.")
    problems = submission_problems(report, clock.today(report.due.district))
    if problems:
        raise ValidationError([problem.message for problem in problems])
    if job.content != build_content(report):
        raise ContentChanged(
            "Not submitted: the report changed after you confirmed it (its text, its data, its "
            "recipients or its attachment). Look at it again and confirm the new version."
        )
    RenderJob.objects.filter(pk=job.pk).update(submit=True, requested_by=user)
    job.submit, job.requested_by = True, user
    return _freeze(job, bytes(job.pdf))


def _freeze(job, pdf):
    report = ProgressReport.objects.select_for_update().get(pk=job.report_id)
    if report.is_submitted:
        return report
    report.status = ReportStatus.SUBMITTED
    report.content = job.content
    report.pdf = pdf
    report.pdf_sha256 = hashlib.sha256(pdf).hexdigest()
    report.recipients = job.content["recipients"]
    report.submitted_at = clock.now()
    report.submitted_by = job.requested_by
    report.save()
    audit.record(
        job.requested_by,
        "progress-report-submitted",
        report,
        summary=f"SHA-256 {report.pdf_sha256}",
    )
    _send(report, job.content, pdf)
    return report


def _send(report, content, pdf):
    """E-mail the submitted report: from DEFAULT_FROM_EMAIL, answers to the CIM lead, who is
    copied; the SELPA's own form instead of the PDF where the team attached it (Targeted 2)."""
    lea, period = content["lea"], content["period"]
    form = content.get("selpa_form")
    if form:
        attachment = (form["name"], bytes(report.selpa_form), form["type"])
        attached = (
            f"The SELPA's form is attached ({form['name']}, SHA-256 {form['sha256']}). The "
            "LEA keeps the full template report, with all its information, as a PDF "
            f"(SHA-256 {report.pdf_sha256}); ask the CIM lead for a copy.\n"
        )
    else:
        attachment = (pdf_name(content), pdf, "application/pdf")
        attached = f"SHA-256 of the PDF: {report.pdf_sha256}\n"
    lead = content.get("cim_lead") or {}
    queue_email(
        f"progress-report:{report.pk}",
        [address for _, address in report.recipients],
        f"CIM progress report: {lea['name']}, {period['label']} {period['year']}"
        + (f" (version {report.version})" if report.version > 1 else ""),
        f"Please find attached the CIM progress report of {lea['name']} for "
        f"{period['label']} {period['year']} ({period['starts']} to {period['ends']}).\n\n"
        + (
            f"It corrects version {content['corrects']} submitted earlier.\n\n"
            if content["corrects"]
            else ""
        )
        + f"Prepared by {content['prepared_by'] or '—'}; signed off by "
        f"{content['signed_off_by'] or '—'}.\n"
        + attached
        + (f"Please reply to the CIM lead, {lead['name']} ({lead['email']}).\n" if lead else ""),
        attachment=attachment,
        reply_to=[lead.get("email")],
        cc=[lead.get("email")],
    )
