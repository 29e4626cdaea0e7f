"""`manage.py healthcheck web|worker|beat`: exit 0 when that service does its work, 1 when not.
docker-compose.yml runs it as each service's healthcheck."""

import socket
import urllib.request

from django.core.cache import cache
from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Exit 0 when the web server, the Celery worker or Celery beat here is healthy."

    def add_arguments(self, parser):
        parser.add_argument("service", choices=["web", "worker", "beat"])
        parser.add_argument("--url", default="http://127.0.0.1:8000/health/")

    def handle(self, service, url, **options):
        getattr(self, f"check_{service}")(url)
        self.stdout.write(f"{service}: ok")

    def check_web(self, url):
        # /health/ answers plain HTTP by IP (schoolplan.edge.HealthCheckMiddleware).
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                if response.status != 200:
                    raise CommandError(f"web: {url} answered {response.status}")
        except OSError as error:
            raise CommandError(f"web: {url}: {error}") from error

    def check_worker(self, url):
        from schoolplan.celery import app

        name = f"celery@{socket.gethostname()}"
        if not app.control.ping(destination=[name], timeout=5):
            raise CommandError(f"worker: {name} did not answer a ping")

    def check_beat(self, url):
        # Beat sends record_heartbeat("beat") every minute (settings.CELERY_BEAT_SCHEDULE);
        # a worker writes it to the cache for five minutes. No entry: the schedule stopped.
        if cache.get("heartbeat:beat") is None:
            raise CommandError("beat: no heartbeat in the last five minutes")
