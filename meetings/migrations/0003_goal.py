# CpmGoal becomes Goal: the school's goals of the year, set at CPM meetings or in the Blueprint.
from django.conf import settings
import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("meetings", "0002_cap"),
        ("schoolplan", "0003_cim_team"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RenameModel("CpmGoal", "Goal"),
        migrations.AddField(
            model_name='goal',
            name='area',
            field=models.CharField(choices=[('math', 'Learning: math'), ('reading', 'Learning: reading'), ('thriving', 'Thriving'), ('belonging', 'Belonging'), ('other', 'Other')], default='other', max_length=12),
        ),
        migrations.AddField(
            model_name='goal',
            name='created_by',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='goal',
            name='version',
            field=models.PositiveIntegerField(default=1),
        ),
        migrations.AlterField(
            model_name='goal',
            name='school',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='goals', to='schoolplan.school'),
        ),
        migrations.AlterField(
            model_name='goal',
            name='set_at',
            field=models.ForeignKey(blank=True, help_text='The CPM meeting that set this goal, if one did.', null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='goals_set', to='meetings.meeting'),
        ),
        ]
