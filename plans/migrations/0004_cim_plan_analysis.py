# Placeholder filled in by issue 18 work.
from django.conf import settings
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("plans", "0003_plan_change_source"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = []
