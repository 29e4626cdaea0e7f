# Placeholder filled in by issue 18 work.
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("schoolplan", "0009_cim_levels"),
    ]

    operations = []
