"""The app's Celery tasks, for autodiscovery. Each is defined beside the work it does, so that
module never has to import this one back."""

from .replies import forget_reply_contacts, remind_coming_families  # noqa: F401
from .reports.render import render_report  # noqa: F401
