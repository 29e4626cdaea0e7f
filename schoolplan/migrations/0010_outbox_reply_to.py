# Issue 18: an e-mail may copy someone and name where answers go (a report's CIM lead).
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("schoolplan", "0009_cim_levels"),
    ]

    operations = [
        migrations.AddField(
            model_name="outboxemail",
            name="cc",
            field=models.JSONField(blank=True, default=list),
        ),
        migrations.AddField(
            model_name="outboxemail",
            name="reply_to",
            field=models.JSONField(blank=True, default=list),
        ),
    ]
