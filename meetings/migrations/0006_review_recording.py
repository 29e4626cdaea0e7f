# Issue 18: the review is recorded together: minutes and attendance carry a version.
from django.conf import settings
import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("meetings", "0005_cap_carried_over"),
        ("schoolplan", "0009_cim_levels"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="meeting",
            name="attendance_version",
            field=models.PositiveIntegerField(default=0),
        ),
        migrations.AddField(
            model_name="meeting",
            name="attendance_recorded_by",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.AddField(
            model_name="meeting",
            name="attendance_recorded_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="minutes",
            name="version",
            field=models.PositiveIntegerField(default=1),
        ),
    ]
