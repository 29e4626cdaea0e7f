"""Measurements keep their history (issue 18): each version is a row; the current value of a
metric on a date is the one not replaced, and there is at most one. Dates that already hold
several values (a second review on the same day added one) are resolved first: the newest stays
current, the older ones are marked replaced by the next newer one."""

from itertools import pairwise

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

BEFORE_HISTORY = "two values for one date (before history was kept)"


def resolve_duplicates(apps, schema_editor):
    Measurement = apps.get_model("progress", "Measurement")
    rows = Measurement._base_manager  # every row, whatever the model's default manager
    duplicated = (
        rows.filter(replaced_at__isnull=True)
        .order_by()
        .values("metric_id", "date")
        .annotate(count=models.Count("pk"))
        .filter(count__gt=1)
    )
    for key in duplicated:
        versions = list(
            rows.filter(
                metric_id=key["metric_id"], date=key["date"], replaced_at__isnull=True
            ).order_by("recorded_at", "pk")
        )
        for older, newer in pairwise(versions):
            older.replaced_at = newer.recorded_at
            older.replaced_by_id = newer.recorded_by_id
            older.save(update_fields=["replaced_at", "replaced_by"])
            newer.reason = BEFORE_HISTORY
            newer.save(update_fields=["reason"])
    if schema_editor is not None and schema_editor.connection.vendor == "postgresql":
        # Check the deferred foreign keys now, before the index is built in this transaction.
        schema_editor.execute("SET CONSTRAINTS ALL IMMEDIATE")


class Migration(migrations.Migration):
    dependencies = [
        ("progress", "0005_submitted_reports_are_frozen"),
        ("schoolplan", "0010_outbox_reply_to"),
        ("meetings", "0007_recorded_late"),
        ("plans", "0004_cim_plan_analysis"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="measurement",
            name="reason",
            field=models.CharField(
                blank=True,
                help_text="Why this value replaced the one recorded before it for the same date.",
                max_length=300,
                verbose_name="Reason for the correction",
            ),
        ),
        migrations.AddField(
            model_name="measurement",
            name="removal_reason",
            field=models.CharField(
                blank=True, max_length=300, verbose_name="Reason for the removal"
            ),
        ),
        migrations.AddField(
            model_name="measurement",
            name="replaced_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="measurement",
            name="replaced_by",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.RunPython(resolve_duplicates, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="measurement",
            constraint=models.UniqueConstraint(
                condition=models.Q(("replaced_at__isnull", True)),
                fields=("metric", "date"),
                name="one_current_measurement_per_date",
            ),
        ),
    ]
