# Issue 18: a plan change made from a CIM review says so ("from the review of October 2026").
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("plans", "0002_school_plans_and_cadre"),
        ("schoolplan", "0009_cim_levels"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="planchange",
            name="source",
            field=models.CharField(blank=True, max_length=200),
        ),
    ]
