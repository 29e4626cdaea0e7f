# The bytes are in storage now (0012): the column that held them goes.
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("progress", "0012_selpa_form_in_storage")]

    operations = [
        migrations.RemoveField(model_name="progressreport", name="selpa_form"),
        migrations.RenameField(
            model_name="progressreport", old_name="selpa_form_file", new_name="selpa_form"
        ),
    ]
