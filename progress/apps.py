from django.apps import AppConfig


class ProgressConfig(AppConfig):
    """Metrics and measurements, SPF results, CIM progress reports."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "progress"

    def ready(self):
        from schoolplan.extensions import register_district_link, register_school_link
        from schoolplan.permissions import VIEW_DISTRICT_WORK

        register_school_link("SPF and family summary", "spf_school", 70)
        register_school_link("Family page", "family_school", 90, arg="public_slug")
        register_school_link("Families' languages", "translations_home", 95)
        register_district_link("CIM: reviews and plan", "cim_home", 10, style="primary")
        register_district_link("SPF results", "spf_district", 20, VIEW_DISTRICT_WORK)
        register_district_link(
            "Compliance dashboard", "compliance", 40, VIEW_DISTRICT_WORK, style="outline-primary"
        )

        from schoolplan.attention import register_card_links

        from . import attention, deadlines  # noqa: F401  (register the app's deadline rules)

        register_card_links(attention.card_links)

        from plans.workflow import register_submission_check

        from .plan_checks import metrics_present

        register_submission_check(metrics_present)

        from schoolplan.extensions import register_school_page_section

        from .school_page import compliance_section

        register_school_page_section(compliance_section)

        from meetings.page_sections import register_meeting_page_section

        from .family_links import families_page_section, family_replies_section

        register_meeting_page_section(families_page_section)
        register_meeting_page_section(family_replies_section)

        from schoolplan.pdf_jobs import register_pdf_kind

        from . import flyer

        register_pdf_kind("meeting-flyer", visible=flyer.visible_flyer, render=flyer.render_flyer)

        from meetings.cpm import SPF_PUBLICATION_HOOKS

        from .plan_items import register
        from .signals import connect
        from .spf import published_days

        register()
        SPF_PUBLICATION_HOOKS.append(published_days)
        connect()

        from schoolplan.next_year import register_carry_over

        from . import next_year

        register_carry_over(next_year.preview, next_year.copy)

        from schoolplan.pdf_jobs import register_pdf_kind

        from .views_compliance import render_dashboard, visible_dashboard

        register_pdf_kind("compliance", visible=visible_dashboard, render=render_dashboard)

        from schoolplan.cim_levels import register_follower

        from .reports import periods as report_periods

        # The report periods follow the CIM level in force (DOMAIN.md "CIM level per year").
        register_follower(
            report_periods.check_level_change,
            report_periods.preview_level_change,
            report_periods.ensure_due_dates,
        )
