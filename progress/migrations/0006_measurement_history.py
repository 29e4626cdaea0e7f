# Placeholder filled in by issue 18 work.
from django.conf import settings
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("progress", "0005_submitted_reports_are_frozen"),
        ("schoolplan", "0010_outbox_reply_to"),
        ("meetings", "0007_recorded_late"),
        ("plans", "0004_cim_plan_analysis"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = []
