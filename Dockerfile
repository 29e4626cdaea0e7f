# The production image: one image for web (gunicorn), worker and beat (Celery).
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    UV_PROJECT_ENVIRONMENT=/opt/venv \
    PATH=/opt/venv/bin:$PATH \
    DJANGO_SETTINGS_MODULE=schoolplan.settings_production

# WeasyPrint's system libraries and fonts for the progress-report PDFs.
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
       libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz0b libharfbuzz-subset0 fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/*

RUN pip install --no-cache-dir uv
WORKDIR /app
COPY pyproject.toml uv.lock ./
RUN uv sync --locked --no-install-project
COPY . .
# collectstatic needs some key; the real one comes from the environment at run time.
RUN SECRET_KEY=collectstatic-only-build-time-key-not-used-at-run-time-0123456789 \
    python manage.py collectstatic --noinput

# The media folder exists, owned by the app user, before a volume is mounted on it: Docker then
# copies its owner to a new volume, so uploads (CAP assessment files, workshop pre-work) work.
RUN useradd --system --uid 1000 schoolplan \
    && mkdir -p /app/var/media \
    && chown -R schoolplan /app/var
USER schoolplan
EXPOSE 8000
# gunicorn.conf.py: bind 0.0.0.0:8000, GUNICORN_WORKERS (3), GUNICORN_TIMEOUT (60 s).
ENV GUNICORN_ACCESS_LOG=-
HEALTHCHECK --interval=30s --timeout=10s --start-period=30s --retries=3 \
    CMD ["python", "manage.py", "healthcheck", "web"]
CMD ["gunicorn", "schoolplan.wsgi:application"]
