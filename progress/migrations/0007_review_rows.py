# Issue 18: each activity row of a CIM review carries a version (recorded together).
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("progress", "0006_measurement_history"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="activityreview",
            name="version",
            field=models.PositiveIntegerField(default=1),
        ),
    ]
