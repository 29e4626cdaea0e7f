from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The demo district (`manage.py demo_data`) and generated ones (`generate_district`)."""

    name = "demo"
