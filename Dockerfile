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

RUN useradd --system --uid 1000 schoolplan && mkdir -p /app/var && chown schoolplan /app/var
USER schoolplan
EXPOSE 8000
CMD ["gunicorn", "schoolplan.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]
