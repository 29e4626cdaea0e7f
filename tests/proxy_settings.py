"""Settings of the app server behind nginx in tests/schoolplan/test_behind_nginx.py: production's
exactly (HTTPS, secure cookies, trusted proxies from the environment), except that static files
come from the finders, so the test needs no collectstatic."""

from schoolplan.settings_production import *  # noqa: F403

STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
