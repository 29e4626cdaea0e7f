# A reporting period keeps its own kind, label and the CIM level it was made for (issue 18):
# a period clipped by a change of level mid-year keeps a right label. Existing periods get them
# from their length (as the label was read before) and the level in force when they start.
from django.conf import settings
from django.db import migrations, models

INTENSIVE = ("intensive_1", "intensive_2", "intensive_3")
TARGETED = ("targeted_1", "targeted_2", "targeted_3")


def kinds_and_labels(apps, schema_editor):
    ReportDue = apps.get_model("progress", "ReportDue")
    CimLevel = apps.get_model("schoolplan", "CimLevel")
    levels = {}
    for level in CimLevel.objects.order_by("effective_on"):
        levels.setdefault(level.district_id, []).append(level)
    for due in ReportDue.objects.all():
        quarterly = (due.period_ends - due.period_starts).days < 120
        due.kind = "quarter" if quarterly else "half"
        # Its place in the year's grid from 1 July (the old label's number could be off).
        part = (due.period_starts.month - 7) % 12 // (3 if quarterly else 6) + 1
        due.label = f"{'Quarter' if quarterly else 'Half'} {part}"
        status = ""
        for level in levels.get(due.district_id, []):
            if level.effective_on <= due.period_starts:
                status = level.status
        # Only a level that reports at this period's rhythm made it.
        due.cim_status = status if status in (INTENSIVE if quarterly else TARGETED) else ""
        due.save(update_fields=["kind", "label", "cim_status"])


class Migration(migrations.Migration):
    dependencies = [
        ("progress", "0007_review_rows"),
        ("schoolplan", "0009_cim_levels"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterModelOptions(
            name="reportdue",
            options={"ordering": ["school_year__start_year", "period_starts", "number"]},
        ),
        migrations.AddField(
            model_name="reportdue",
            name="cim_status",
            field=models.CharField(
                blank=True,
                choices=[
                    ("none", "Not in CIM"),
                    ("targeted_1", "Targeted level 1"),
                    ("targeted_2", "Targeted level 2"),
                    ("targeted_3", "Targeted level 3"),
                    ("intensive_1", "Intensive level 1"),
                    ("intensive_2", "Intensive level 2"),
                    ("intensive_3", "Intensive level 3"),
                ],
                max_length=20,
                verbose_name="CIM monitoring status",
            ),
        ),
        migrations.AddField(
            model_name="reportdue",
            name="kind",
            field=models.CharField(
                choices=[("quarter", "Quarter"), ("half", "Half")], default="quarter", max_length=10
            ),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="reportdue",
            name="label",
            field=models.CharField(default="", max_length=60),
            preserve_default=False,
        ),
        migrations.RunPython(kinds_and_labels, migrations.RunPython.noop),
    ]
