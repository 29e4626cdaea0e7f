from django.apps import AppConfig


class MeetingsConfig(AppConfig):
    """The meeting engine: CPM, CAP, CIM reviews, cadre meetings and workshops."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "meetings"

    def ready(self):
        from schoolplan.attention import register_school_card_hook
        from schoolplan.demo import register_demo

        from .attention import cpm_items
        from .demo import build_demo_meetings

        register_school_card_hook(cpm_items)
        register_demo(build_demo_meetings)
