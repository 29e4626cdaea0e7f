"""Deployment checks of our own, beside Django's `check --deploy`."""

from django.conf import settings
from django.core import checks


@checks.register(checks.Tags.security, deploy=True)
def two_factor_required(app_configs, **kwargs):
    if settings.TWO_FACTOR_REQUIRED:
        return []
    return [
        checks.Warning(
            "TWO_FACTOR_REQUIRED is off: principals and school staff can read pupil notes "
            "with a password alone.",
            hint="Unset TWO_FACTOR_REQUIRED (it defaults to on); only a local demo turns it off.",
            id="schoolplan.W001",
        )
    ]
