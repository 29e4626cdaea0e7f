# The CIM monitoring status moves from the district to its school years (issue 18): each
# district in CIM gets, for every one of its school years, a level in force from the year's
# first day (all we know of the past is today's status), then the district's field goes.
from datetime import date

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def levels_from_the_district(apps, schema_editor):
    from schoolplan import clock

    District = apps.get_model("schoolplan", "District")
    SchoolYear = apps.get_model("schoolplan", "SchoolYear")
    CimLevel = apps.get_model("schoolplan", "CimLevel")
    now = clock.now()
    for district in District.objects.exclude(cim_status="none"):
        starts = sorted(
            SchoolYear.objects.filter(district=district).values_list("start_year", flat=True)
        )
        if not starts:  # no year set up: the status holds from the current year's start
            today = clock.today(district.time_zone)
            starts = [today.year if today.month >= 7 else today.year - 1]
        CimLevel.objects.bulk_create(
            CimLevel(
                district=district,
                status=district.cim_status,
                effective_on=date(start_year, 7, 1),
                set_at=now,
                note="On record before the level was kept per school year.",
            )
            for start_year in starts
        )


def status_back_on_the_district(apps, schema_editor):
    from schoolplan import clock

    District = apps.get_model("schoolplan", "District")
    CimLevel = apps.get_model("schoolplan", "CimLevel")
    for district in District.objects.all():
        level = (
            CimLevel.objects.filter(
                district=district, effective_on__lte=clock.today(district.time_zone)
            )
            .order_by("-effective_on")
            .first()
        )
        if level is not None:
            district.cim_status = level.status
            district.save(update_fields=["cim_status"])


class Migration(migrations.Migration):
    dependencies = [
        ("schoolplan", "0008_reminder_category_school_year"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="CimLevel",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "status",
                    models.CharField(
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
                ("effective_on", models.DateField(verbose_name="in force from")),
                ("set_at", models.DateTimeField()),
                (
                    "note",
                    models.CharField(
                        blank=True,
                        help_text="Where the status comes from, e.g. the CDE letter.",
                        max_length=300,
                    ),
                ),
                (
                    "district",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="cim_levels",
                        to="schoolplan.district",
                    ),
                ),
                (
                    "set_by",
                    models.ForeignKey(
                        blank=True,
                        help_text="Empty: on record from before levels were kept per year, or set "
                        "up.",
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "ordering": ["district", "effective_on"],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("district", "effective_on"),
                        name="one_cim_level_per_district_and_day",
                    )
                ],
            },
        ),
        migrations.RunPython(levels_from_the_district, status_back_on_the_district),
        migrations.RemoveField(model_name="district", name="cim_status"),
    ]
