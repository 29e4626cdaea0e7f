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


@register.simple_tag
def family_url(name, language, slug, *args):
    """A families' page address in language ({% family_url 'family_school' language slug %})."""
    from progress.family import family_url as address

    return address(name, language, slug, *args)
