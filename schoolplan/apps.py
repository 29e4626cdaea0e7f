from django.apps import AppConfig


class SchoolplanConfig(AppConfig):
    """The project's core: districts, schools, school years, memberships and permissions."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "schoolplan"

    def ready(self):
        from . import (
            audit,  # noqa: F401  (connects the sign-in signals to the audit log)
            between_years,  # noqa: F401  (registers the reminder to start the next year)
            checks,  # noqa: F401  (registers the deployment checks)
            uploads,
        )

        uploads.connect()

        from .extensions import register_district_link
        from .permissions import MANAGE_DISTRICT

        register_district_link(
            "Roster import", "roster_imports", 90, MANAGE_DISTRICT
        )  # a replaced or deleted upload leaves storage with its record
