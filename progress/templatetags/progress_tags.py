from django import template

from progress.charts import trend_svg

register = template.Library()


@register.simple_tag
def trend_chart(metric, chart_id=""):
    """{% trend_chart metric %}: the metric's SVG trend chart (page or PDF alike)."""
    return trend_svg(
        metric, list(metric.measurements.all()), chart_id=chart_id or f"metric-{metric.pk}"
    )
