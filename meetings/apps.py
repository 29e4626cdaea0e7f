from django.apps import AppConfig


class MeetingsConfig(AppConfig):
    """The meeting engine: CPM, CAP, CIM reviews, cadre meetings and workshops."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "meetings"

    def ready(self):
        from schoolplan.extensions import register_district_link, register_school_link
        from schoolplan.permissions import KEEP_SCHOOL_RECORDS, VIEW_DISTRICT_WORK

        register_school_link("CPM year", "cpm_year", 10, style="primary")
        register_school_link("Meetings", "school_meetings", 20)
        register_school_link("CAP meetings", "cap_overview", 30, KEEP_SCHOOL_RECORDS)
        register_school_link("Workshops", "school_workshops", 80)
        register_district_link("Workshops", "workshops", 30, VIEW_DISTRICT_WORK)

        from . import cpm_deadlines, deadlines  # noqa: F401  (register the app's deadline rules)
        from .cap import require_analysis
        from .models import MeetingType
        from .recorded_late import require_attendance
        from .recording import register_held_check

        register_held_check(MeetingType.CAP, require_analysis)
        # DOMAIN.md, "Recorded, not scheduled": a late record needs its attendance to be held.
        for kind in (MeetingType.CIM_REVIEW, MeetingType.CPM, MeetingType.TITLE_I_PARENT):
            register_held_check(kind, require_attendance)

        from schoolplan.next_year import register_carry_over

        from . import next_year

        register_carry_over(next_year.preview, next_year.copy)

        from schoolplan.roster import register_part

        from .roster_classes import plan_classes

        register_part(plan_classes)
