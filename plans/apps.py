from django.apps import AppConfig


class PlansConfig(AppConfig):
    """Plans for Improvement, ESSA action plans, School Blueprints, family engagement plans."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "plans"

    def ready(self):
        from schoolplan.attention import register_card_links

        from . import deadlines  # noqa: F401  (registers the app's deadline rules)
        from .cadre import card_links

        register_card_links(card_links)

        from schoolplan.next_year import register_carry_over

        from . import next_year

        register_carry_over(next_year.preview, next_year.copy)
