# Placeholder filled in by issue 18 work.
from django.conf import settings
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("progress", "0008_report_periods"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = []
