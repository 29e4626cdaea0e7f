"""The site's URLs, with /health/ first: the load benchmark's baseline view."""

from django.urls import path

from schoolplan.urls import urlpatterns as site
from schoolplan.views_health import health

urlpatterns = [path("health/", health, name="bench_health"), *site]
