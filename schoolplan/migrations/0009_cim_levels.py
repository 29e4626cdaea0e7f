# Placeholder filled in by issue 18 work.
from django.conf import settings
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("schoolplan", "0008_reminder_category_school_year"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = []
