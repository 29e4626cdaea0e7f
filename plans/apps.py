from django.apps import AppConfig


class PlansConfig(AppConfig):
    """Plans for Improvement, ESSA action plans, School Blueprints, family engagement plans."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "plans"

    def ready(self):
        from schoolplan.extensions import register_school_link
        from schoolplan.permissions import VIEW_CADRE

        register_school_link("ESSA action plan", "school_essa", 40)
        register_school_link("Blueprint", "school_blueprint", 50)
        register_school_link("Cadre", "school_cadre", 60, VIEW_CADRE)
        register_school_link("SAMI note catcher", "school_sami", 85)

        from schoolplan.attention import register_card_links

        from . import deadlines  # noqa: F401  (registers the app's deadline rules)
        from .cadre import card_links

        register_card_links(card_links)

        from schoolplan.next_year import register_carry_over

        from . import next_year

        register_carry_over(next_year.preview, next_year.copy)

        from schoolplan.pdf_jobs import register_pdf_kind

        from . import export

        register_pdf_kind("essa-plan", visible=export.visible_plan, render=export.render_plan)
