"""gunicorn's settings for SchoolPlan (read from the working directory: /app in the image).

The app decides alone what to believe of X-Forwarded-For and X-Forwarded-Proto, from its own
TRUSTED_PROXY_COUNT (schoolplan.edge, SECURITY.md). gunicorn would otherwise mark a request
HTTPS whenever a client on 127.0.0.1 says so, whoever that client is."""

import os

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
workers = int(os.environ.get("GUNICORN_WORKERS", "3"))
# A request may take this long before gunicorn kills its worker. Pages answer in well under a
# second; PDFs render in the Celery worker, not here.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))
graceful_timeout = 30
accesslog = os.environ.get("GUNICORN_ACCESS_LOG") or None
forwarded_allow_ips = ""
secure_scheme_headers = {}
