from celery import shared_task


@shared_task
def render_report(job_id):
    """Render a progress report's PDF off the request path (a preview, or the submission)."""
    from .reports import run_job

    run_job(job_id)
