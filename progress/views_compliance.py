"""The district compliance dashboard: every school, every requirement, at a glance."""

import csv
from datetime import timedelta
from html import escape

from django.http import HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_POST

from schoolplan import between_years, clock
from schoolplan.csvfiles import spreadsheet_safe
from schoolplan.forms import posted_year
from schoolplan.models import District, EssaDesignation, Level, SchoolYear
from schoolplan.pdf import render_pdf
from schoolplan.pdf_jobs import request_pdf
from schoolplan.permissions import (
    MANAGE_DISTRICT,
    VIEW_DISTRICT,
    VIEW_DISTRICT_WORK,
    can,
    get_visible_or_404,
)

from . import compliance

STATE_ORDER = ["missed", "overdue", "late", "due", "partial", "scheduled", "upcoming", "met", "n/a"]
SYMBOLS = {
    "met": "✔",
    "scheduled": "◷",
    "upcoming": "○",
    "partial": "◐",
    "due": "!",
    "late": "!",
    "overdue": "✖",
    "missed": "✖",
    "n/a": "–",
}
FILTERS = {
    "level": [("", "All levels"), *Level.choices, ("secondary", "Secondary (middle and high)")],
    "title_i": [("", "Title I or not"), ("yes", "Title I"), ("no", "Not Title I")],
    "essa": [
        ("", "Any ESSA designation"),
        ("designated", "Designated (TSI or CSI)"),
        *EssaDesignation.choices,
    ],
}


def _filtered_schools(district, params):
    schools = district.schools.order_by("name")
    level = params.get("level", "")
    if level == "secondary":
        schools = schools.filter(level__in=(Level.MIDDLE, Level.HIGH))
    elif level in Level.values:
        schools = schools.filter(level=level)
    if params.get("title_i") in ("yes", "no"):
        schools = schools.filter(title_i=params["title_i"] == "yes")
    essa = params.get("essa", "")
    if essa == "designated":
        schools = schools.exclude(essa_designation=EssaDesignation.NONE)
    elif essa in EssaDesignation.values:
        schools = schools.filter(essa_designation=essa)
    return schools


def _display(row, links=True):
    """The whole table row as HTML, built once here: a thousand rows of eight cells through the
    template language (or format_html) cost more than everything else on the page (see
    bench/dashboard_bench.py). Every value is escaped before it goes in."""
    name = escape(row.school.name)
    if links and row.year_url:
        name = f'<a href="{escape(row.year_url)}">{name}</a>'
    parts = [
        '<tr class="has-gap">' if row.has_gap else "<tr>",
        f'<th scope="row" class="fw-normal">{name}'
        f'<div class="small text-body-secondary">{escape(row.facts)}</div></th>',
    ]
    for key, _label in compliance.REQUIREMENTS:
        cell = row.cells[key]
        text = escape(cell.text)
        if links and cell.url:
            text = f'<a href="{escape(cell.url)}">{text}</a>'
        parts.append(
            f'<td class="cell-{cell.state.replace("/", "")}"><span aria-hidden="true">'
            f"{SYMBOLS[cell.state]}</span> {text}</td>"
        )
    parts.append("</tr>")
    return mark_safe("".join(parts))  # noqa: S308 - built from escaped values only


def dashboard_data(district, year, params, today, links=True, user=None):
    rows = compliance.compute(district, year, today, _filtered_schools(district, params))
    if user is not None:
        # The CIM team sees the CAP count, but a school's CAP pages are its staff's: a cell
        # links only where its reader may go.
        compliance.keep_openable_links(rows, user)
    if params.get("gap") == "1":
        rows = [row for row in rows if row.has_gap]
    sort = params.get("sort", "school")
    descending = params.get("dir") == "desc"
    if sort in dict(compliance.REQUIREMENTS):
        rows.sort(
            key=lambda r: (
                r.cells[sort].rank,  # a problem-solving step's number, else 0
                STATE_ORDER.index(r.cells[sort].state),
                r.school.name,
            ),
            reverse=descending,
        )
    else:
        rows.sort(key=lambda r: r.school.name.lower(), reverse=descending)
    year_url = compliance.YearLinks("cpm_year", year)
    # The school's name opens its CPM year page, for those the cells' rule lets follow it;
    # decided once, for the district.
    school_pages = links and (
        user is None
        or any(can(user, ability, district) for ability in compliance.LINK_ABILITIES["cpm_year"])
    )
    for row in rows:  # only the rows shown
        school = row.school
        row.year_url = year_url(school.pk) if school_pages else ""
        row.facts = " · ".join(
            part
            for part in (
                school.get_level_display(),
                "Title I" if school.title_i else "",
                school.essa_short,
            )
            if part
        )
        row.display = _display(row, links)
    return rows


def _page_parts(district, user, params, today):
    """The years, the one shown (asked for, else current, else the one just ended), and what the
    page says between two years (schoolplan/between_years.py)."""
    years = SchoolYear.objects.filter(district=district).order_by("-start_year")
    outlook = between_years.outlook(district, today)
    year = (
        SchoolYear.objects.chosen_or_current(district.pk, posted_year(params), today)
        or outlook.shown_year
    )
    between = {
        # The district's page, CIM page and reports ask VIEW_DISTRICT: linked for its holders.
        "district_pages": can(user, VIEW_DISTRICT, district),
        "outlook": outlook,
        "can_start": can(user, MANAGE_DISTRICT, district) and outlook.start_url,
    }
    return years, year, between


def judged_on(year, today):
    """A past year is judged as it ended (on the day after its last: a window closing on 30 June
    is missed, not open); the current one as of today."""
    return min(today, year.ends_on + timedelta(days=1))


def page_context(district, year, params, user, today, *, fmt=None, years=(), between=None):
    """Everything the page and its PDF show, for params (the page's query)."""
    between = between or {}
    as_of = judged_on(year, today)
    rows = dashboard_data(district, year, params, as_of, links=fmt != "pdf", user=user)
    district_cells = compliance.district_cells(district, year, as_of)
    if not between.get("district_pages"):
        for cell in district_cells.values():
            cell.url = ""
    return {
        "district": district,
        "year": year,
        "years": years,
        "as_of": as_of,
        "rows": rows,
        "requirements": compliance.REQUIREMENTS,
        "summary": compliance.summary(rows),
        "district_cells": district_cells,
        "symbols": SYMBOLS,
        "filters": FILTERS,
        "params": params,
        "query": _query_without(params, "sort", "dir", "format"),
        "headers": sort_headers(params),
        "export_query": _query_without(params, "format"),
        # Set, not missing: a missing variable costs an exception per lookup in a long loop.
        "pdf": fmt == "pdf",
        **between,
    }


def dashboard(request, pk):
    district = get_visible_or_404(District.objects.all(), request.user, VIEW_DISTRICT_WORK, pk=pk)
    clock.activate(district)  # its dates and times, its exports' too (DOMAIN.md, Time)
    today = clock.today(district)
    years, year, between = _page_parts(district, request.user, request.GET, today)
    if year is None:
        return render(
            request, "progress/compliance.html", {"district": district, "year": None, **between}
        )
    fmt = request.GET.get("format")
    if fmt == "pdf":  # made in the worker now (compliance_pdf): the page has the button
        return redirect(f"{request.path}?{_query_without(request.GET, 'format')}")
    if fmt == "csv":
        as_of = judged_on(year, today)
        rows = dashboard_data(district, year, request.GET, as_of, links=False, user=request.user)
        return _csv(district, year, rows)
    context = page_context(
        district, year, request.GET, request.user, today, years=years, between=between
    )
    return render(request, "progress/compliance.html", context)


@require_POST
def compliance_pdf(request, pk):
    """Ask the worker for the dashboard's PDF, with the filters and order on screen. Whether
    the user may see the district is request_pdf's check (visible_dashboard): 404 if not."""
    query = {
        name: value
        for name, value in request.POST.items()
        if name in PDF_PARAMS and isinstance(value, str) and len(value) <= 100
    }
    job = request_pdf("compliance", {"district": pk, "query": query}, user=request.user)
    return redirect(job)


# What the PDF keeps of the page's query (the filters, the order and the year).
PDF_PARAMS = (*FILTERS, "gap", "sort", "dir", "year")


def visible_dashboard(user, params):
    district = get_visible_or_404(
        District.objects.all(), user, VIEW_DISTRICT_WORK, pk=params.get("district")
    )
    return f"Compliance dashboard – {district.name}", reverse("compliance", args=[district.pk])


def render_dashboard(params, user):
    district = District.objects.get(pk=params["district"])
    query = QueryDict(mutable=True)
    for name, value in params.get("query", {}).items():
        query[name] = value
    with clock.zone(district):
        today = clock.today(district)
        _, year, between = _page_parts(district, user, query, today)
        if year is None:
            raise ValueError("The district has no school year to report on.")
        context = page_context(district, year, query, user, today, fmt="pdf", between=between)
        title = f"Compliance – {district.name} – {year.name}"
        pdf = render_pdf("progress/compliance_pdf.html", context, title=title, author=district.name)
    return pdf, title, f"compliance-{year.name}.pdf"


def sort_headers(params):
    """The table's column headers: each sorts by its column, says which way it will sort when
    activated, and carries aria-sort (the sorted one ascending or descending, the others none)."""
    sort = params.get("sort", "school")
    if sort not in ("school", *dict(compliance.REQUIREMENTS)):
        sort = "school"
    descending = params.get("dir") == "desc"
    headers = []
    for key, label in [("school", "School"), *compliance.REQUIREMENTS]:
        current = key == sort
        to_desc = current and not descending
        headers.append(
            {
                "key": key,
                "label": label,
                "aria_sort": ("descending" if descending else "ascending") if current else "none",
                "query": f"sort={key}" + ("&dir=desc" if to_desc else ""),
                "action": f"{label}, sort {'descending' if to_desc else 'ascending'}",
            }
        )
    return headers


def _query_without(params, *names):
    kept = params.copy()
    for name in names:
        kept.pop(name, None)
    return kept.urlencode()


def _csv(district, year, rows):
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="compliance-{year.name}.csv"'
    response.write("\ufeff")
    writer = csv.writer(response)
    writer.writerow(
        [
            "School",
            "Level",
            "Title I",
            "ESSA",
            *(label for _, label in compliance.REQUIREMENTS),
            "Gap",
        ]
    )

    for row in rows:
        writer.writerow(
            [
                spreadsheet_safe(row.school.name),
                row.school.get_level_display(),
                "Yes" if row.school.title_i else "No",
                row.school.essa_short or "",
                *(row.cells[key].text for key, _ in compliance.REQUIREMENTS),
                "Yes" if row.has_gap else "No",
            ]
        )
    return response
