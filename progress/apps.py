from django.apps import AppConfig


class ProgressConfig(AppConfig):
    """Metrics and measurements, SPF results, CIM progress reports."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "progress"
