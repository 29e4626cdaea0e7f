"""The Celery app. Without REDIS_URL its tasks run eagerly, in the calling process."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "schoolplan.settings")

app = Celery("schoolplan")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
