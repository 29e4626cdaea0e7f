"""The ESSA action plan exported for entry into the state system: CSV and PDF.

The CSV is long and stable: one row per field, `Section, Ref, Parent ref, Field, Value`, so
every part of the plan (however many problem statements or steps it has) fits one shape, and
`read_essa_csv` reads it back to the same content (the round trip the tests check). Cells that
a spreadsheet would run as a formula are neutralised with a leading apostrophe.
"""

import csv
import io

from django.db.models import Prefetch

from schoolplan import clock
from schoolplan.csvfiles import FORMULA_STARTS, spreadsheet_safe
from schoolplan.pdf import render_pdf

from .models import EssaPlan, RootCause

HEADER = ["Section", "Ref", "Parent ref", "Field", "Value"]


def load(plan_pk):
    """The plan with everything the export shows, in a fixed number of queries."""
    return (
        EssaPlan.objects.select_related("school__district", "school_year", "submitted_by")
        .prefetch_related(
            Prefetch("problems__root_causes", RootCause.objects.order_by("pk")),
            "focus_areas",
            "action_steps__focus_area",
            "monitoring",
            "metrics__measurements",
        )
        .get(pk=plan_pk)
    )


def _text(value):
    if value is None:
        return ""
    if isinstance(value, bool):
        return "Yes" if value else "No"
    return str(value)


def essa_content(plan):
    """The plan as (section, ref, parent ref, field, value) rows, in the plan's order."""
    rows = [
        ("Plan", "", "", "School", plan.school.name),
        ("Plan", "", "", "District", plan.school.district.name),
        ("Plan", "", "", "School year", plan.school_year.name),
        ("Plan", "", "", "ESSA designation", plan.school.get_essa_designation_display()),
        ("Plan", "", "", "Status", plan.get_status_display()),
        ("Plan", "", "", "Due", plan.due_on.isoformat() if plan.must_submit else ""),
        (
            "Plan",
            "",
            "",
            "Submitted",
            # The school's wall time, with its offset (DOMAIN.md, Time).
            clock.local(plan.submitted_at, plan.school).isoformat(timespec="minutes")
            if plan.submitted_at
            else "",
        ),
        (
            "Plan",
            "",
            "",
            "Submitted by",
            plan.submitted_by.display_name if plan.submitted_by else "",
        ),
        ("Plan", "", "", "Submitted late", _text(plan.submitted_late) if plan.submitted_at else ""),
    ]
    for p, problem in enumerate(plan.problems.all(), 1):
        ref = f"P{p}"
        rows += [
            ("Problem statement", ref, "", "Desired state", problem.desired_state),
            ("Problem statement", ref, "", "Current state", problem.current_state),
            ("Problem statement", ref, "", "The gap", problem.gap),
        ]
        for r, cause in enumerate(problem.root_causes.all(), 1):
            cause_ref = f"{ref}.R{r}"
            rows += [
                ("Root cause", cause_ref, ref, "Root cause", cause.description),
                ("Root cause", cause_ref, ref, "Evidence", cause.evidence),
                ("Root cause", cause_ref, ref, "Verified", _text(cause.verified)),
            ]
    area_refs = {}
    for a, area in enumerate(plan.focus_areas.all(), 1):
        area_refs[area.pk] = ref = f"F{a}"
        rows += [
            ("Area of focus", ref, "", "Area of focus", area.title),
            ("Area of focus", ref, "", "Initiatives", area.initiatives),
        ]
    for s, step in enumerate(plan.action_steps.all(), 1):
        ref = f"S{s}"
        parent = area_refs.get(step.focus_area_id, "")
        rows += [
            ("Action step", ref, parent, "Action step", step.description),
            ("Action step", ref, parent, "Owner", step.owner),
            ("Action step", ref, parent, "Start", step.starts_on.isoformat()),
            ("Action step", ref, parent, "Due", step.due_on.isoformat()),
            ("Action step", ref, parent, "Status", step.get_status_display()),
        ]
    for m, metric in enumerate(plan.metrics.all(), 1):
        ref = f"M{m}"
        rows += [
            ("Metric", ref, "", "Metric", metric.name),
            ("Metric", ref, "", "Kind", metric.get_kind_display()),
            ("Metric", ref, "", "Unit", metric.unit),
            ("Metric", ref, "", "Baseline", _text(metric.baseline)),
            ("Metric", ref, "", "Target", _text(metric.target)),
            ("Metric", ref, "", "Target date", metric.target_date.isoformat()),
            ("Metric", ref, "", "Direction", metric.get_direction_display()),
        ]
    for n, routine in enumerate(plan.monitoring.all(), 1):
        ref = f"R{n}"
        rows += [
            ("Monitoring", ref, "", "Who reviews", routine.who),
            ("Monitoring", ref, "", "What they review", routine.what),
            ("Monitoring", ref, "", "How often", routine.get_frequency_display()),
        ]
    return rows


def essa_csv(plan):
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(HEADER)
    for row in essa_content(plan):
        writer.writerow([spreadsheet_safe(_text(cell)) for cell in row])
    # A byte order mark, so that Excel opens the UTF-8 (accents, Spanish) correctly.
    return "\ufeff" + out.getvalue()


def read_essa_csv(text):
    """The rows of an exported CSV, as essa_content gave them."""
    reader = csv.reader(io.StringIO(text.removeprefix("\ufeff")))
    if next(reader) != HEADER:
        raise ValueError("Not an ESSA action plan export: the header row differs.")

    def unsafe(cell):
        return cell[1:] if cell.startswith("'") and cell[1:].startswith(FORMULA_STARTS) else cell

    return [tuple(unsafe(cell) for cell in row) for row in reader]


def pdf_title(plan):
    return f"ESSA action plan – {plan.school.name} – {plan.school_year.name}"


def file_name(plan):
    return f"essa-action-plan-{plan.school.public_slug}-{plan.school_year.name}"


def essa_pdf(plan):
    with clock.zone(plan.school):
        return render_pdf(
            "plans/essa_plan_pdf.html",
            {"plan": plan},
            title=pdf_title(plan),
            author=plan.submitted_by.display_name if plan.submitted_by else plan.school.name,
        )


# The PDF is made in the worker (schoolplan.pdf_jobs): registered in PlansConfig.ready().


def visible_plan(user, params):
    from schoolplan.permissions import VIEW_SCHOOL, get_visible_or_404

    plan = get_visible_or_404(
        EssaPlan.objects.select_related("school", "school_year"),
        user,
        VIEW_SCHOOL,
        pk=params.get("plan"),
    )
    return pdf_title(plan), plan.get_absolute_url()


def render_plan(params, user):
    plan = load(params["plan"])
    return essa_pdf(plan), pdf_title(plan), f"{file_name(plan)}.pdf"
