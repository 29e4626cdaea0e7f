# Issue 18: the report draft's edit version, the SELPA's own form (Targeted 2), the
# confirmation's rendering, and district staff's leave to submit a period early.
import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("progress", "0008_report_periods"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="progressreport",
            name="edit_version",
            field=models.PositiveIntegerField(default=0),
        ),
        migrations.AddField(
            model_name="progressreport",
            name="part_edits",
            field=models.JSONField(blank=True, default=dict),
        ),
        migrations.AddField(
            model_name="progressreport",
            name="selpa_form",
            field=models.BinaryField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="progressreport",
            name="selpa_form_name",
            field=models.CharField(blank=True, max_length=200, verbose_name="SELPA form"),
        ),
        migrations.AddField(
            model_name="progressreport",
            name="selpa_form_sha256",
            field=models.CharField(
                blank=True, max_length=64, verbose_name="SHA-256 of the SELPA form"
            ),
        ),
        migrations.AddField(
            model_name="progressreport",
            name="selpa_form_type",
            field=models.CharField(blank=True, max_length=100),
        ),
        migrations.AddField(
            model_name="renderjob",
            name="for_confirmation",
            field=models.BooleanField(default=False),
        ),
        migrations.AddField(
            model_name="reportdue",
            name="early_submission_allowed_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="reportdue",
            name="early_submission_allowed_by",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
    ]
