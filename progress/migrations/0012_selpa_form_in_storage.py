# The SELPA's form moves from a column of the report to the uploads' storage (issue 24: every
# upload in object storage when S3_BUCKET is set). Each report's bytes become a file of its own;
# submitted reports are frozen by a trigger (0005), which stands aside for this copy only.
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import migrations, models

import progress.models.reports

TABLE, TRIGGER = "progress_progressreport", "progress_report_frozen"


def forms_to_storage(apps, schema_editor):
    report_model = apps.get_model("progress", "ProgressReport")
    reports = report_model.objects.exclude(selpa_form=None).select_related("due")
    postgresql = schema_editor.connection.vendor == "postgresql"
    if postgresql:
        schema_editor.execute(f"ALTER TABLE {TABLE} DISABLE TRIGGER {TRIGGER}")
    try:
        for report in reports.only("pk", "selpa_form", "selpa_form_name", "due__district_id"):
            data = bytes(report.selpa_form)
            if not data:
                continue
            name = default_storage.save(
                f"selpa-forms/{report.due.district_id}/{report.selpa_form_name or 'selpa-form'}",
                ContentFile(data),
            )
            report_model.objects.filter(pk=report.pk).update(
                selpa_form_file=name, selpa_form_size=len(data)
            )
    finally:
        if postgresql:
            schema_editor.execute(f"ALTER TABLE {TABLE} ENABLE TRIGGER {TRIGGER}")


class Migration(migrations.Migration):
    dependencies = [("progress", "0011_family_translations")]

    operations = [
        migrations.AddField(
            model_name="progressreport",
            name="selpa_form_file",
            field=models.FileField(
                blank=True,
                max_length=300,
                upload_to=progress.models.reports.selpa_form_upload_to,
                verbose_name="SELPA form file",
            ),
        ),
        migrations.AddField(
            model_name="progressreport",
            name="selpa_form_size",
            field=models.PositiveIntegerField(default=0),
        ),
        migrations.RunPython(forms_to_storage, migrations.RunPython.noop),
    ]
