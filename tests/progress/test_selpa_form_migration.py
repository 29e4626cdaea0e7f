"""issue 24: migrations 0012 and 0013 move each report's SELPA form from its column to the
uploads' storage, submitted reports included: their frozen trigger stands aside for the copy
and is back afterwards."""

import pytest
from django.core.files.storage import default_storage
from django.db import IntegrityError, connection, transaction
from django.db.migrations.executor import MigrationExecutor

from progress.models import ProgressReport
from progress.reports import periods as report_periods
from progress.reports import workflow as report_workflow
from schoolplan.models import Role

from ..factories import member

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("progress", "0011_family_translations")]
FORM = b"%PDF-1.4 the SELPA's own form"


def _migrate(target):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(target)


def _latest():
    return [("progress", MigrationExecutor(connection).loader.graph.leaf_nodes("progress")[0][1])]


def test_forms_move_to_storage_and_submitted_reports_stay_frozen(
    district, school_year, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    lead = member(Role.DISTRICT_STAFF, district)
    dues = report_periods.ensure_due_dates(district, school_year)
    draft = report_workflow.start_report(dues[0], user=lead)
    submitted = report_workflow.start_report(dues[1], user=lead)
    latest = _latest()
    _migrate(BEFORE)
    try:
        with connection.cursor() as cursor:
            for report, status in ((draft, "draft"), (submitted, "submitted")):
                # The form as 0011 kept it, then the status (the trigger looks at the old one).
                cursor.execute(
                    "UPDATE progress_progressreport SET selpa_form = %s, selpa_form_name = %s "
                    "WHERE id = %s",
                    [FORM + str(report.pk).encode(), f"form {report.pk}.pdf", report.pk],
                )
                cursor.execute(
                    "UPDATE progress_progressreport SET status = %s WHERE id = %s",
                    [status, report.pk],
                )
    finally:
        _migrate(latest)
    for report in (draft, submitted):
        report = ProgressReport.objects.get(pk=report.pk)
        data = FORM + str(report.pk).encode()
        assert report.selpa_form.name.startswith(f"selpa-forms/{district.pk}/form {report.pk}")
        assert default_storage.open(report.selpa_form.name).read() == data
        assert report.selpa_form_size == len(data)
    if connection.vendor == "postgresql":  # the trigger is on again
        with pytest.raises(IntegrityError), transaction.atomic():
            ProgressReport.objects.filter(pk=submitted.pk).update(summary="changed")
