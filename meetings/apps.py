from django.apps import AppConfig


class MeetingsConfig(AppConfig):
    """The meeting engine: CPM, CAP, CIM reviews, cadre meetings and workshops."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "meetings"
