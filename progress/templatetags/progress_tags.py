from datetime import datetime

from django import template

from progress.charts import trend_svg
from schoolplan import clock

register = template.Library()


@register.simple_tag
def trend_chart(metric, chart_id=""):
    """{% trend_chart metric %}: the metric's SVG trend chart (page or PDF alike)."""
    return trend_svg(
        metric, list(metric.measurements.all()), chart_id=chart_id or f"metric-{metric.pk}"
    )


@register.filter
def isodate(value, format_string="j M Y"):
    """'2026-07-01' (as frozen report content stores dates) shown as '1 Jul 2026'; a moment
    with its offset is shown on the active zone's (the district's) calendar."""
    from django.utils.dateformat import format as date_format
    from django.utils.dateparse import parse_date, parse_datetime

    if not value:
        return ""
    parsed = parse_datetime(value) if "T" in value else parse_date(value)
    if isinstance(parsed, datetime) and parsed.tzinfo is not None:
        parsed = clock.local(parsed)
    return date_format(parsed, format_string) if parsed else value


@register.inclusion_tag("progress/_school_compliance.html", takes_context=True)
def school_compliance(context, school):
    """{% school_compliance school %}: the school's row of the compliance model, on its page."""
    from progress import compliance
    from progress.views_compliance import SYMBOLS
    from schoolplan.models import SchoolYear

    today = clock.today(school)
    year = SchoolYear.objects.of_district_on(school.district_id, today)
    if year is None:
        return {"row": None}
    [row] = compliance.keep_openable_links(
        compliance.compute(school.district, year, today, [school]), context["request"].user
    )
    return {
        "row": row,
        "year": year,
        "items": [(label, row.cells[key]) for key, label in compliance.REQUIREMENTS],
        "symbols": SYMBOLS,
    }
