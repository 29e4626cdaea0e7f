from django.apps import AppConfig


class PlansConfig(AppConfig):
    """Plans for Improvement, ESSA action plans, School Blueprints, family engagement plans."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "plans"
