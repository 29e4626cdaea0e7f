"""A metric's trend chart as SVG, drawn on the server: the same markup serves the page and the
PDF (WeasyPrint draws SVG as vector graphics), and no chart library or script is needed.

The chart shows the measurements, the baseline and the planned path to the target; it carries a
title and a text description for screen readers, and a table beside it gives the numbers.
"""

from datetime import timedelta
from decimal import Decimal

from django.utils.formats import date_format
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

WIDTH, HEIGHT = 640, 260
LEFT, RIGHT, TOP, BOTTOM = 56, 16, 16, 40
INK, PATH, MEASURED, GRID = "#212529", "#6c757d", "#0a58ca", "#dee2e6"


def _number(value):
    return f"{Decimal(value).normalize():f}"


def trend_svg(metric, measurements, *, chart_id="chart"):
    points = sorted(measurements, key=lambda m: (m.date, m.pk or 0))
    start, end = metric.path_starts, metric.target_date
    first_day = min([start, *(m.date for m in points)])
    last_day = max([end, *(m.date for m in points)])
    span_days = max((last_day - first_day).days, 1)
    values = [Decimal(metric.baseline), Decimal(metric.target), *(Decimal(m.value) for m in points)]
    low, high = min(values), max(values)
    pad = (high - low) * Decimal("0.1") or Decimal(1)
    low, high = low - pad, high + pad
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def x(day):
        return LEFT + plot_w * (day - first_day).days / span_days

    def y(value):
        return TOP + plot_h * float((high - Decimal(value)) / (high - low))

    unit = escape(metric.unit)
    title = escape(_("Trend of %(name)s") % {"name": metric.name})
    if points:
        latest = points[-1]
        description = _(
            "Baseline %(baseline)s%(unit)s, target %(target)s%(unit)s by %(date)s; "
            "%(count)s measurements, the latest %(value)s%(unit)s on %(day)s."
        ) % {
            "baseline": _number(metric.baseline),
            "target": _number(metric.target),
            "unit": metric.unit,
            "date": date_format(end, "j M Y"),
            "count": len(points),
            "value": _number(latest.value),
            "day": date_format(latest.date, "j M Y"),
        }
    else:
        description = _(
            "Baseline %(baseline)s%(unit)s, target %(target)s%(unit)s by %(date)s; "
            "no measurement yet."
        ) % {
            "baseline": _number(metric.baseline),
            "target": _number(metric.target),
            "unit": metric.unit,
            "date": date_format(end, "j M Y"),
        }
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" '
        f'class="trend-chart" role="img" aria-labelledby="{chart_id}-t {chart_id}-d" '
        f'font-family="DejaVu Sans, sans-serif" font-size="11">',
        f'<title id="{chart_id}-t">{title}</title>',
        f'<desc id="{chart_id}-d">{escape(description)}</desc>',
    ]
    # Horizontal grid with the baseline and the target labelled.
    for value, label in ((metric.baseline, _("baseline")), (metric.target, _("target"))):
        parts.append(
            f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y(value):.1f}" y2="{y(value):.1f}" '
            f'stroke="{GRID}" stroke-width="1"/>'
            f'<text x="{LEFT - 6}" y="{y(value) + 4:.1f}" text-anchor="end" fill="{INK}">'
            f"{_number(value)}{unit}</text>"
            f'<text x="{WIDTH - RIGHT}" y="{y(value) - 4:.1f}" text-anchor="end" '
            f'fill="{PATH}">{escape(label)}</text>'
        )
    # The planned path: baseline on its date to the target on its date.
    parts.append(
        f'<line x1="{x(start):.1f}" y1="{y(metric.baseline):.1f}" x2="{x(end):.1f}" '
        f'y2="{y(metric.target):.1f}" stroke="{PATH}" stroke-width="2" stroke-dasharray="6 4"/>'
    )
    if points:
        line = " ".join(f"{x(m.date):.1f},{y(m.value):.1f}" for m in points)
        parts.append(
            f'<polyline points="{line}" fill="none" stroke="{MEASURED}" stroke-width="2.5"/>'
        )
        for m in points:
            parts.append(
                f'<circle cx="{x(m.date):.1f}" cy="{y(m.value):.1f}" r="4" fill="{MEASURED}">'
                f"<title>{escape(date_format(m.date, 'j M Y'))}: {_number(m.value)}{unit}"
                "</title></circle>"
            )
    # The time axis: where the path starts and ends.
    axis_y = HEIGHT - BOTTOM
    parts.append(
        f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{axis_y}" y2="{axis_y}" stroke="{INK}"/>'
    )
    for day, anchor in ((first_day, "start"), (last_day, "end")):
        parts.append(
            f'<text x="{x(day):.1f}" y="{axis_y + 16}" text-anchor="{anchor}" fill="{INK}">'
            f"{escape(date_format(day, 'j M Y'))}</text>"
        )
    if (end - first_day) > timedelta(days=30) and end != last_day:
        parts.append(
            f'<text x="{x(end):.1f}" y="{axis_y + 30}" text-anchor="middle" fill="{PATH}">'
            f"{escape(_('target date'))}</text>"
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))


# The home page's requirement chart: per requirement, how many schools are in each state.
# Staff pages are in English: unlike the trend chart (families read it), no translation.
BUCKETS = [  # (key, label, colour): the states of the compliance model, grouped
    ("held", "held", "#198754"),
    ("scheduled", "scheduled", "#0d6efd"),
    ("due", "due", "#fd7e14"),
    ("missed", "missed", "#dc3545"),
    ("later", "not yet open", "#ced4da"),
]
BUCKET_OF = {
    "met": "held",
    "scheduled": "scheduled",
    "due": "due",
    "partial": "due",
    "missed": "missed",
    "late": "missed",
    "overdue": "missed",
    "upcoming": "later",
}


def requirement_bars_svg(counts, *, chart_id="gaps"):
    """counts: [(requirement label, {bucket: number of schools})]: one bar per requirement,
    its segments held, scheduled, due, missed (and not yet open), the numbers written beside it
    so nothing depends on colour."""
    row_h, label_w, bar_w, text_w = 22, 130, 260, 250
    width, height = label_w + bar_w + text_w, row_h * len(counts) + 26
    summary = "; ".join(
        f"{label}: "
        + ", ".join(f"{n} {name}" for key, name, _c in BUCKETS if (n := found.get(key)))
        for label, found in counts
    )
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'class="requirement-chart" role="img" aria-labelledby="{chart_id}-t {chart_id}-d" '
        f'font-family="DejaVu Sans, sans-serif" font-size="11">',
        f'<title id="{chart_id}-t">{"Schools by requirement and state"}</title>',
        f'<desc id="{chart_id}-d">{escape(summary)}</desc>',
    ]
    for row, (label, found) in enumerate(counts):
        y = row * row_h
        total = sum(found.values()) or 1
        parts.append(
            f'<text x="{label_w - 8}" y="{y + 15}" text-anchor="end" fill="{INK}">'
            f"{escape(label)}</text>"
        )
        x = label_w
        for key, name, colour in BUCKETS:
            n = found.get(key, 0)
            if not n:
                continue
            w = bar_w * n / total
            parts.append(
                f'<rect x="{x:.1f}" y="{y + 4}" width="{w:.1f}" height="{row_h - 8}" '
                f'fill="{colour}"><title>{escape(label)}: {n} {escape(name)}</title></rect>'
            )
            x += w
        words = ", ".join(f"{found[key]} {name}" for key, name, _c in BUCKETS if found.get(key))
        parts.append(
            f'<text x="{label_w + bar_w + 8}" y="{y + 15}" fill="{INK}">{escape(words)}</text>'
        )
    legend_y = row_h * len(counts) + 16
    x = label_w
    for _key, name, colour in BUCKETS:
        parts.append(
            f'<rect x="{x}" y="{legend_y - 9}" width="10" height="10" fill="{colour}"/>'
            f'<text x="{x + 14}" y="{legend_y}" fill="{INK}">{escape(name)}</text>'
        )
        x += 14 + 7 * len(str(name)) + 16
    parts.append("</svg>")
    return mark_safe("".join(parts))
