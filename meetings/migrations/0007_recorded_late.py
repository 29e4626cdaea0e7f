# Placeholder filled in by issue 18 work.
from django.conf import settings
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("meetings", "0006_review_recording"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = []
