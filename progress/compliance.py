"""The compliance model: for a district's school year, each requirement's state per school (and
for the district, its CIM work). One computation, read in bulk (a fixed number of queries
whatever the number of schools), feeding the district dashboard, its CSV and PDF exports and
each school's page.

States carry text as well as a kind, so nothing depends on colour: met, scheduled, due (open,
nothing done yet), upcoming (not yet), missed, late, partial, n/a.
"""

from dataclasses import dataclass, field
from datetime import timedelta

from django.urls import reverse

from meetings.cim import monthly_compliance
from meetings.models import (
    AssessmentPoint,
    CapMeeting,
    Meeting,
    MeetingStatus,
    MeetingType,
    RegistrationStatus,
    SchoolClass,
    WorkshopRegistration,
    WorkshopSeries,
)
from plans.models import EssaPlan, EssaPlanStatus
from schoolplan import clock
from schoolplan.models import CpmStage, EssaDesignation

from . import reports
from .models import SpfSummary

GAP_STATES = {"due", "missed", "late", "overdue"}
CAP_GRACE = timedelta(days=30)  # CAP meetings come "shortly after" the assessment point


@dataclass
class Cell:
    state: str
    text: str
    url: str = ""

    @property
    def is_gap(self):
        return self.state in GAP_STATES


@dataclass
class Row:
    school: object
    cells: dict = field(default_factory=dict)

    @property
    def has_gap(self):
        return any(cell.is_gap for cell in self.cells.values())


REQUIREMENTS = [
    ("kick_off", "Kick Off"),
    ("check_in", "Check In"),
    ("wrap_up", "Wrap Up"),
    ("spf", "SPF shared"),
    ("title_i", "Title I meeting"),
    ("cap", "CAP meetings"),
    ("essa", "ESSA plan"),
    ("workshop", "Workshop"),
]
NOT_APPLICABLE = Cell("n/a", "Not required")


def _day(value):
    return f"{value:%-d %b}"


class Links:
    """URLs of many objects of one kind: reverse() once, then fill in the id (a dashboard of a
    thousand schools would otherwise spend its time in the URL resolver)."""

    def __init__(self, name, placeholder=987654321):
        self.pattern = reverse(name, args=[placeholder]).replace(str(placeholder), "{}")

    def __call__(self, pk):
        return self.pattern.format(pk)


@dataclass
class _Meeting:
    pk: int
    school_id: int
    meeting_type: str
    cpm_stage: str
    status: str
    local_date: object
    counts_as_spf_meeting: bool
    counts_as_title_i_meeting: bool
    url: str


def _meeting_cell(meetings, window, today):
    held = [m for m in meetings if m.status == MeetingStatus.HELD]
    planned = [m for m in meetings if m.status == MeetingStatus.PLANNED]
    if held:
        return Cell("met", f"Held {_day(held[0].local_date)}", held[0].url)
    if planned:
        first = planned[0]
        if first.local_date < today:
            return Cell("due", f"Minutes due ({_day(first.local_date)})", first.url)
        return Cell("scheduled", f"Scheduled {_day(first.local_date)}", first.url)
    if window is not None and today > window.closes:
        return Cell("missed", "Missed")
    if window is not None and today < window.opens:
        return Cell("upcoming", f"Opens {_day(window.opens)}")
    return Cell("due", "Nothing scheduled" + (f", closes {_day(window.closes)}" if window else ""))


def compute(district, year, today=None, schools=None):
    """[Row] for the district's schools (or the given ones) in year, as of the district's
    today (or the given day); every date read on its calendar (DOMAIN.md, Time)."""
    zone = clock.zone_of(district)
    today = today or clock.today(zone)
    schools = list(schools if schools is not None else district.schools.order_by("name"))
    ids = [s.pk for s in schools]
    meeting_url = Links("meeting_detail")
    meetings = {}
    for row in (
        Meeting.objects.filter(school__in=ids, school_year=year)
        .exclude(status=MeetingStatus.CANCELLED)
        .order_by("starts_at")
        .values_list(
            "pk",
            "school_id",
            "meeting_type",
            "cpm_stage",
            "status",
            "starts_at",
            "counts_as_spf_meeting",
            "counts_as_title_i_meeting",
        )
    ):
        pk, school_id, kind, stage, status, starts_at, spf, title_i = row
        meetings.setdefault(school_id, []).append(
            _Meeting(
                pk,
                school_id,
                kind,
                stage,
                status,
                starts_at.astimezone(zone).date(),
                spf,
                title_i,
                meeting_url(pk),
            )
        )
    published = dict(
        SpfSummary.objects.filter(
            school__in=ids, school_year=year, published_at__isnull=False
        ).values_list("school_id", "published_at")
    )
    links = {
        "cap": Links("cap_overview"),
        "essa": Links("school_essa"),
        "registration": Links("workshop_registration"),
        "family": Links("family_school", placeholder="school-slug-placeholder"),
    }
    points = {}
    for point in AssessmentPoint.objects.filter(school__in=ids, school_year=year, date__lte=today):
        if point.school_id not in points or point.date > points[point.school_id].date:
            points[point.school_id] = point
    classes = {}
    for school_id, class_id in SchoolClass.objects.filter(
        school__in=ids, school_year=year
    ).values_list("school_id", "pk"):
        classes.setdefault(school_id, set()).add(class_id)
    cap_done = {}
    for school_id, class_id, point_id in CapMeeting.objects.filter(
        meeting__school__in=ids, meeting__status=MeetingStatus.HELD
    ).values_list("meeting__school_id", "school_class_id", "assessment_point_id"):
        cap_done.setdefault((school_id, point_id), set()).add(class_id)
    plans = {p.school_id: p for p in EssaPlan.objects.filter(school__in=ids, school_year=year)}
    series_ids = list(
        WorkshopSeries.objects.filter(district=district, school_year=year).values_list(
            "pk", flat=True
        )
    )
    registrations = {}
    for registration in WorkshopRegistration.objects.filter(
        series__in=series_ids, school__in=ids
    ).exclude(status=RegistrationStatus.CANCELLED):
        registrations.setdefault(registration.school_id, registration)
    spf_window = year.window("spf_sharing")
    rows = []
    for school in schools:
        mine = meetings.get(school.pk, [])
        row = Row(school)
        for stage in CpmStage:
            row.cells[stage.value] = _meeting_cell(
                [m for m in mine if m.meeting_type == MeetingType.CPM and m.cpm_stage == stage],
                year.cpm_window(stage),
                today,
            )
        # seed 000: an SPF meeting, a combined meeting, or the published family summary.
        spf_meetings = [
            m
            for m in mine
            if (m.meeting_type == MeetingType.SPF or m.counts_as_spf_meeting)
            and spf_window.contains(m.local_date)
        ]
        cell = _meeting_cell(spf_meetings, spf_window, today)
        published_at = published.get(school.pk)
        summary_day = clock.local_date(published_at, zone) if published_at else None
        if cell.state != "met" and summary_day and spf_window.contains(summary_day):
            cell = Cell(
                "met",
                f"Summary published {_day(summary_day)}",
                links["family"](school.public_slug),
            )
        row.cells["spf"] = cell
        if school.title_i:
            cell = _meeting_cell(
                [
                    m
                    for m in mine
                    if m.meeting_type == MeetingType.TITLE_I_PARENT or m.counts_as_title_i_meeting
                ],
                None,
                today,
            )
            if cell.state == "due" and today > year.ends_on:
                cell = Cell("missed", "Missed")
            row.cells["title_i"] = cell
        else:
            row.cells["title_i"] = NOT_APPLICABLE
        row.cells["cap"] = _cap_cell(school, points, classes, cap_done, today, links["cap"])
        row.cells["essa"] = _essa_cell(
            school, plans.get(school.pk), year, today, zone, links["essa"](school.pk)
        )
        row.cells["workshop"] = _workshop_cell(
            school, registrations.get(school.pk), series_ids, links["registration"]
        )
        if today < year.starts_on:  # a year started ahead (in June): nothing is due in it yet
            for key, cell in row.cells.items():
                if cell.state == "due":
                    row.cells[key] = Cell("upcoming", f"From {_day(year.starts_on)}")
        rows.append(row)
    return rows


def _cap_cell(school, points, classes, cap_done, today, cap_url):
    point = points.get(school.pk)
    total = len(classes.get(school.pk, ()))
    if point is None or not total:
        return Cell("n/a", "No assessment point yet" if total else "No classes set up")
    done = len(cap_done.get((school.pk, point.pk), set()) & classes[school.pk])
    url = cap_url(school.pk)
    text = f"{done} of {total} classes after {point.name}"
    if done >= total:
        return Cell("met", text, url)
    return Cell("due" if today - point.date > CAP_GRACE else "partial", text, url)


def _essa_cell(school, plan, year, today, zone, url):
    if school.essa_designation == EssaDesignation.NONE:
        return NOT_APPLICABLE
    targeted = school.essa_designation == EssaDesignation.TARGETED
    if plan is None:
        late = targeted and today > year.essa_plan_due
        return Cell("missed" if late else ("due" if targeted else "upcoming"), "Not started", url)
    if plan.status == EssaPlanStatus.ACCEPTED:
        return Cell("met", "Accepted", url)
    if plan.status == EssaPlanStatus.SUBMITTED:
        submitted = _day(clock.local_date(plan.submitted_at, zone))
        if plan.submitted_late:
            return Cell("late", f"Submitted late {submitted}", url)
        return Cell("met", f"Submitted {submitted}", url)
    label = "Returned for changes" if plan.status == EssaPlanStatus.RETURNED else "Draft"
    overdue = targeted and today > year.essa_plan_due
    return Cell("missed" if overdue else "partial", label, url)


def _workshop_cell(school, registration, series_ids, registration_url):
    if school.essa_designation == EssaDesignation.NONE:
        return NOT_APPLICABLE
    if registration is not None:
        return Cell(
            "met" if registration.status == RegistrationStatus.REGISTERED else "partial",
            registration.get_status_display(),
            registration_url(registration.pk),
        )
    if not series_ids:
        return Cell("upcoming", "No workshop yet")
    return Cell("due", "Not registered")


def district_cells(district, year, today=None):
    """The district's CIM work: monthly reviews (held / elapsed) and progress reports."""
    today = today or clock.today(district)
    if district.cim_status == "none":
        return {}
    months = monthly_compliance(district, year, today)
    elapsed = [m for m in months if m.state in ("held", "late", "gap")]
    held = [m for m in elapsed if m.state == "held"]
    gaps = [m for m in elapsed if m.state == "gap"]
    # DOMAIN.md, "Recorded, not scheduled": a month held but recorded late is not held on time;
    # it is flagged ("late") and says so in the CIM page's words (Month.text).
    late = [m for m in elapsed if m.state == "late"]
    text = f"{len(held)} of {len(elapsed)} months held"
    if late:
        text += "; " + "; ".join(f"{m.label}: {m.phrase}" for m in late)
    if gaps:
        text += f"; gaps: {', '.join(m.label for m in gaps)}"
    cells = {
        "reviews": Cell(
            "missed" if gaps else "late" if late else "met" if elapsed else "upcoming",
            text,
            reverse("cim_home", args=[district.pk]),
        )
    }
    for state in reports.due_states(reports.dues_for(district, year), today):
        kind = {
            "submitted": "met",
            "late": "late",
            "overdue": "overdue",
            "draft": "partial",
            "due": "scheduled",
            "upcoming": "upcoming",
        }[state.state]
        cells[f"report-{state.due.number}"] = Cell(
            kind,
            f"{state.due.label}: {state.message}",
            state.latest.get_absolute_url()
            if state.latest
            else reverse("progress_reports", args=[district.pk]),
        )
    return cells


def summary(rows):
    """Per requirement: (met, applicable) over the rows, e.g. Kick Off: 182 of 204 held."""
    out = {}
    for key, _label in REQUIREMENTS:
        applicable = [r.cells[key] for r in rows if r.cells[key].state != "n/a"]
        out[key] = (sum(c.state == "met" for c in applicable), len(applicable))
    return out
