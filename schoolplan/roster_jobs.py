"""The roster import page's work, done in the worker (issue 21): the dry run of an upload, then,
once district staff confirm it, the import. The page polls the RosterImport row; the import's
progress is in the cache, since its rows are written in one transaction nobody else sees yet."""

import logging
from dataclasses import asdict

from celery import shared_task
from django.core.cache import cache
from django.db import transaction

from . import clock
from .jobs import claim
from .models import PdfJobStatus, RosterImport
from .roster import import_roster, read_roster
from .roster_bundle import BundleError, read_zip, roster_as_json, roster_from_json

log = logging.getLogger(__name__)
PROGRESS_SECONDS = 3600


def progress_key(pk):
    return f"roster-import:{pk}:progress"


def progress_of(roster_import):
    """{"done", "total", "step", "percent"} of a running import, or None."""
    found = cache.get(progress_key(roster_import.pk))
    if not found:
        return None
    return {**found, "percent": int(100 * found["done"] / (found["total"] or 1))}


@shared_task(name="schoolplan.tasks.preview_roster_import")
def preview_roster_import(pk):
    run_preview(pk)


def run_preview(pk):
    row = claim(RosterImport, pk, "status")
    if row is None:
        return
    upload, row.bundle = bytes(row.bundle), b""  # whatever happens, the upload is not kept
    try:
        source, roster = read_roster(read_zip(upload, row.filename))
        plan = import_roster(row.district, roster, dry_run=True)
        row.source, row.counts, row.changes = source, plan.counts, plan.preview()
        row.problems = [asdict(problem) for problem in plan.problems]
        row.roster = roster_as_json(roster)
    except BundleError as error:
        row.problems = [asdict(problem) for problem in error.problems]
    except Exception as error:  # the page says so; the log has the rest
        log.exception("Roster import %s: the dry run failed", pk)
        row.status, row.error = PdfJobStatus.FAILED, str(error)[:2000]
        row.save(update_fields=["status", "error", "bundle"])
        return
    row.status = PdfJobStatus.DONE
    row.save(
        update_fields=["status", "source", "counts", "changes", "problems", "roster", "bundle"]
    )


def confirm(roster_import, user):
    """Queue the import of a previewed upload; False if it was confirmed already."""
    confirmed = RosterImport.objects.filter(
        pk=roster_import.pk, status=PdfJobStatus.DONE, problems=[], apply_status=""
    ).update(apply_status=PdfJobStatus.WAITING, confirmed_by=user, confirmed_at=clock.now())
    if confirmed:
        transaction.on_commit(lambda: apply_roster_import.delay(roster_import.pk))
    return bool(confirmed)


@shared_task(name="schoolplan.tasks.apply_roster_import")
def apply_roster_import(pk):
    run_apply(pk)


def run_apply(pk):
    row = claim(RosterImport, pk, "apply_status")
    if row is None:
        return

    def progress(done, total, step):
        cache.set(progress_key(pk), {"done": done, "total": total, "step": step}, PROGRESS_SECONDS)

    progress(0, 1, "starting")
    try:
        roster = roster_from_json(row.roster)
        plan = import_roster(
            row.district,
            roster,
            dry_run=False,
            by=row.confirmed_by,
            progress=progress,
            expected=row.counts,
        )
    except Exception as error:  # rolled back: nothing was written
        log.exception("Roster import %s failed", pk)
        row.apply_status, row.error = PdfJobStatus.FAILED, str(error)[:2000]
        row.save(update_fields=["apply_status", "error"])
        return
    if plan.problems:
        row.apply_status = PdfJobStatus.FAILED
        row.problems = [asdict(problem) for problem in plan.problems]
        row.save(update_fields=["apply_status", "problems"])
        return
    row.apply_status, row.applied_counts, row.applied_at = (
        PdfJobStatus.DONE,
        plan.counts,
        clock.now(),
    )
    row.save(update_fields=["apply_status", "applied_counts", "applied_at"])
