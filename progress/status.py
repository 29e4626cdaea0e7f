"""Whether a metric is on track: the rule, in one place.

The planned path is a straight line from the baseline (on the baseline date) to the target (on
the target date). On a measurement's date the path says where the metric should be ("expected").
Measured against the direction (higher or lower is better):

- **on track**: the value is at or beyond the expected value;
- **at risk**: it is behind, by no more than a tenth of the whole planned change;
- **off track**: it is further behind than that.

Before the baseline date the expected value is the baseline; after the target date it is the
target. A metric with no measurement yet has no status ("no data").
"""

from decimal import Decimal

from django.db import models
from django.utils.translation import gettext_lazy as _

AT_RISK_SHARE = Decimal("0.10")  # how far behind the path still counts as "at risk"


class Status(models.TextChoices):
    ON_TRACK = "on_track", _("On track")
    AT_RISK = "at_risk", _("At risk")
    OFF_TRACK = "off_track", _("Off track")
    NO_DATA = "no_data", _("No data yet")


def expected_on(metric, day):
    start, end = metric.path_starts, metric.target_date
    if day <= start:
        return Decimal(metric.baseline)
    if day >= end:
        return Decimal(metric.target)
    share = Decimal((day - start).days) / Decimal((end - start).days)
    return metric.baseline + (metric.target - metric.baseline) * share


def status_of(metric, value=None, day=None):
    if value is None:
        return Status.NO_DATA
    sign = 1 if metric.direction == "up" else -1
    ahead_by = (Decimal(value) - expected_on(metric, day)) * sign
    if ahead_by >= 0:
        return Status.ON_TRACK
    if -ahead_by <= abs(metric.target - metric.baseline) * AT_RISK_SHARE:
        return Status.AT_RISK
    return Status.OFF_TRACK
