"""The compliance model: for a district's school year, each requirement's state per school (and
for the district, its CIM work). One computation, read in bulk (a fixed number of queries
whatever the number of schools), feeding the district dashboard, its CSV and PDF exports and
each school's page.

States carry text as well as a kind, so nothing depends on colour: met, scheduled, due (open,
nothing done yet), upcoming (not yet), missed, late, partial, n/a.
"""

from dataclasses import dataclass, field
from datetime import timedelta

from django.db.models import QuerySet
from django.urls import reverse

from meetings.cim_reviews import monthly_compliance
from meetings.cpm import requirements_for
from meetings.models import SHORT_LABELS as STEP_LABELS
from meetings.models import (
    AssessmentPoint,
    CapMeeting,
    MeetingStatus,
    RegistrationStatus,
    SchoolClass,
    Step,
    WorkshopRegistration,
    WorkshopSeries,
)
from meetings.problem_solving import steps_for
from plans.essa import essa_standings
from schoolplan import clock
from schoolplan.models import EssaDesignation
from schoolplan.permissions import (
    KEEP_SCHOOL_RECORDS,
    VIEW_DISTRICT_WORK,
    VIEW_SCHOOL,
    scope_for,
)
from schoolplan.rows import Links, short_day

from .reports import periods as report_periods

GAP_STATES = {"due", "missed", "late", "overdue"}
CAP_GRACE = timedelta(days=30)  # CAP meetings come "shortly after" the assessment point


@dataclass
class Cell:
    state: str
    text: str
    url: str = ""
    # What the link opens ("meeting", "cpm_year", "essa" …): the page drops the links its
    # reader may not open (progress/views_compliance.py).
    target: str = ""
    rank: int = 0  # sorts a column before its state does: a problem-solving step's number

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
    ("problem_solving", "Problem solving"),
]
NOT_APPLICABLE = Cell("n/a", "Not required")


# What each kind of cell link opens, and who may open it (the pages' own checks): a cell links
# only for a reader who can follow it (a CIM lead sees a school's CAP count, not its CAP pages).
LINK_ABILITIES = {
    "meeting": (VIEW_SCHOOL,),
    "cpm_year": (VIEW_SCHOOL,),
    "cap": (KEEP_SCHOOL_RECORDS,),
    "essa": (VIEW_SCHOOL,),
    "school_workshops": (VIEW_SCHOOL,),
    "workshop_registration": (VIEW_SCHOOL, VIEW_DISTRICT_WORK),
    "problem_solving": (VIEW_SCHOOL,),
    "family": (),  # public
}


def keep_openable_links(rows, user):
    """Drop the links of the cells user may not open; the user's scope is read once, in
    memory, and what a district role allows is decided once per district, so a thousand rows
    cost no query and little time."""
    scope = scope_for(user)
    district_wide = {}
    for row in rows:
        school = row.school
        for cell in row.cells.values():
            abilities = LINK_ABILITIES.get(cell.target) if cell.url else None
            if not abilities:
                continue
            key = (cell.target, school.district_id)
            if key not in district_wide:
                district_wide[key] = any(scope.allows(a, school.district_id) for a in abilities)
            if district_wide[key]:
                continue
            if not any(scope.allows(a, school.district_id, school.pk) for a in abilities):
                cell.url = ""
    return rows


def _requirement_cell(requirement, school, links):
    """A CPM, SPF or Title I requirement (meetings.cpm decides its state) as a cell: it links to
    the meeting that decides it, the published family summary, or where the gap is fixed."""
    if requirement.published_on is not None:
        return Cell("met", requirement.short, links["family"](school.public_slug), "family")
    if requirement.url:
        return Cell(requirement.kind, requirement.short, requirement.url, "meeting")
    # Nothing held or planned: the CPM year page, where it is scheduled (or the gap explained).
    return Cell(requirement.kind, requirement.short, links["cpm_year"](school.pk), "cpm_year")


def compute(district, year, today=None, schools=None):
    """[Row] for the district's schools (or the given ones) in year, as of the district's
    today (or the given day); every date read on its calendar (DOMAIN.md, Time). The CPM, SPF
    and Title I states come from meetings.cpm, the ESSA plan's from plans.essa: no rule is
    restated here."""
    zone = clock.zone_of(district)
    today = today or clock.today(zone)
    if schools is None:
        schools = district.schools.order_by("name")
    # A QuerySet of schools is read as a subquery: binding a thousand ids costs more.
    source = schools
    schools = list(schools)
    ids = source.values("pk") if isinstance(source, QuerySet) else [s.pk for s in schools]
    requirements = requirements_for(source, year, today)
    standings = essa_standings(source, year, today, zone)
    links = {
        "cap": Links("cap_overview"),
        "essa": Links("school_essa"),
        "registration": Links("workshop_registration"),
        "workshops": Links("school_workshops"),
        "problem_solving": Links("school_problem_solving"),
        "cpm_year": YearLinks("cpm_year", year),
        "family": Links("family_school", placeholder="school-slug-placeholder"),
    }
    points = {}
    for point in AssessmentPoint.objects.filter(
        school__in=ids, school_year=year, date__lte=today
    ).only("school_id", "name", "date"):
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
    series_ids = list(
        WorkshopSeries.objects.filter(district=district, school_year=year).values_list(
            "pk", flat=True
        )
    )
    registrations = {}
    for registration in (
        WorkshopRegistration.objects.filter(series__in=series_ids, school__in=ids)
        .exclude(status=RegistrationStatus.CANCELLED)
        .only("school_id", "status")
    ):
        registrations.setdefault(registration.school_id, registration)
    steps = steps_for(ids, year)
    rows = []
    for school in schools:
        row = Row(school)
        for requirement in requirements[school.pk]:
            row.cells[requirement.key] = _requirement_cell(requirement, school, links)
        row.cells.setdefault("title_i", NOT_APPLICABLE)
        row.cells["cap"] = _cap_cell(school, points, classes, cap_done, today, links["cap"])
        standing = standings[school.pk]
        row.cells["essa"] = (
            NOT_APPLICABLE
            if standing.state == "n/a"
            else Cell(standing.state, standing.text, links["essa"](school.pk), "essa")
        )
        row.cells["workshop"] = _workshop_cell(
            school, registrations.get(school.pk), series_ids, links
        )
        row.cells["problem_solving"] = _step_cell(
            steps.get(school.pk), links["problem_solving"](school.pk)
        )
        if today < year.starts_on:  # a year started ahead (in June): nothing is due in it yet
            for key in ("cap", "workshop"):
                if row.cells[key].state == "due":
                    row.cells[key] = Cell("upcoming", f"From {short_day(year.starts_on)}")
        rows.append(row)
    return rows


class YearLinks(Links):
    """A school's CPM year page, on the year shown."""

    def __init__(self, name, year):
        super().__init__(name)
        self.pattern += f"?year={year.start_year}"


def _cap_cell(school, points, classes, cap_done, today, cap_url):
    point = points.get(school.pk)
    total = len(classes.get(school.pk, ()))
    if point is None or not total:
        text = "No assessment point yet" if total else "No classes set up"
        return Cell("n/a", text, cap_url(school.pk), "cap")
    done = len(cap_done.get((school.pk, point.pk), set()) & classes[school.pk])
    url = cap_url(school.pk)
    text = f"{done} of {total} classes after {point.name}"
    if done >= total:
        return Cell("met", text, url, "cap")
    return Cell("due" if today - point.date > CAP_GRACE else "partial", text, url, "cap")


def _workshop_cell(school, registration, series_ids, links):
    if school.essa_designation == EssaDesignation.NONE:
        return NOT_APPLICABLE
    if registration is not None:
        return Cell(
            "met" if registration.status == RegistrationStatus.REGISTERED else "partial",
            registration.get_status_display(),
            links["registration"](registration.pk),
            "workshop_registration",
        )
    if not series_ids:
        return Cell(
            "upcoming", "No workshop yet", links["workshops"](school.pk), "school_workshops"
        )
    return Cell("due", "Not registered", links["workshops"](school.pk), "school_workshops")


def _step_cell(row, url):
    """seed 002: the workshop's outcome is steps 1–2 done and step 3 (the action plan) started;
    a school there counts as met, one on steps 1–2 as partial, one not started as upcoming."""
    step = row.step if row is not None else Step.NOT_STARTED
    state = "met" if step >= Step.ACTION_PLAN else "partial" if step else "upcoming"
    return Cell(state, STEP_LABELS[step], url, "problem_solving", rank=step)


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
    for state in report_periods.due_states(report_periods.dues_for(district, year), today):
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
