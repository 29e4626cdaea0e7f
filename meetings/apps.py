from django.apps import AppConfig


class MeetingsConfig(AppConfig):
    """The meeting engine: CPM, CAP, CIM reviews, cadre meetings and workshops."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "meetings"

    def ready(self):
        from schoolplan.attention import register_district_card_hook, register_school_card_hook
        from schoolplan.demo import register_demo

        from . import deadlines  # noqa: F401  (registers the app's deadline rules)
        from .attention import cim_items, cpm_items
        from .cap import require_analysis
        from .demo import build_demo_cap, build_demo_meetings, build_demo_workshops
        from .models import MeetingType
        from .recorded_late import require_attendance
        from .services import register_held_check

        register_school_card_hook(cpm_items)
        register_district_card_hook(cim_items)
        register_demo(build_demo_meetings)
        register_demo(build_demo_cap)
        register_demo(build_demo_workshops)
        register_held_check(MeetingType.CAP, require_analysis)
        register_held_check(MeetingType.CIM_REVIEW, require_attendance)

        from schoolplan.next_year import register_carry_over

        from . import next_year

        register_carry_over(next_year.preview, next_year.copy)
        register_school_card_hook(next_year.carried_over_items)
