# The Plan for Improvement's analysis (data findings, root causes, problem statements), the
# links of a carried-over plan to last year's, and the TA provider's account on a TA session.
import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def _carried_from(model):
    return models.ForeignKey(
        blank=True,
        null=True,
        on_delete=django.db.models.deletion.SET_NULL,
        related_name="carried_into",
        to=f"plans.{model}",
    )


class Migration(migrations.Migration):
    dependencies = [
        ("plans", "0003_plan_change_source"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="activity", name="carried_from", field=_carried_from("activity")
        ),
        migrations.AddField(
            model_name="outcome", name="carried_from", field=_carried_from("outcome")
        ),
        migrations.AddField(
            model_name="strategy", name="carried_from", field=_carried_from("strategy")
        ),
        migrations.AddField(
            model_name="tasession",
            name="provider_account",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
                verbose_name="TA provider",
            ),
        ),
        migrations.AlterField(
            model_name="tasession",
            name="provider",
            field=models.CharField(blank=True, max_length=200, verbose_name="Provider's name"),
        ),
        migrations.CreateModel(
            name="DataFinding",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("version", models.PositiveIntegerField(default=1)),
                ("statement", models.TextField(verbose_name="What the data shows")),
                (
                    "source",
                    models.CharField(blank=True, max_length=300, verbose_name="Source or evidence"),
                ),
                ("carried_from", _carried_from("datafinding")),
                (
                    "plan",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="findings",
                        to="plans.planforimprovement",
                    ),
                ),
            ],
            options={"verbose_name": "data finding", "ordering": ["pk"]},
        ),
        migrations.CreateModel(
            name="CimRootCause",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("version", models.PositiveIntegerField(default=1)),
                ("description", models.TextField(verbose_name="Root cause")),
                ("carried_from", _carried_from("cimrootcause")),
                (
                    "plan",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="root_causes",
                        to="plans.planforimprovement",
                    ),
                ),
                (
                    "findings",
                    models.ManyToManyField(
                        blank=True,
                        related_name="root_causes",
                        to="plans.datafinding",
                        verbose_name="findings that support it",
                    ),
                ),
            ],
            options={"verbose_name": "root cause", "ordering": ["pk"]},
        ),
        migrations.CreateModel(
            name="CimProblemStatement",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("version", models.PositiveIntegerField(default=1)),
                ("statement", models.TextField(verbose_name="Problem statement")),
                ("carried_from", _carried_from("cimproblemstatement")),
                (
                    "plan",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="problem_statements",
                        to="plans.planforimprovement",
                    ),
                ),
                (
                    "root_causes",
                    models.ManyToManyField(
                        blank=True,
                        related_name="problem_statements",
                        to="plans.cimrootcause",
                        verbose_name="root causes",
                    ),
                ),
            ],
            options={"verbose_name": "problem statement", "ordering": ["pk"]},
        ),
        migrations.AddField(
            model_name="strategy",
            name="root_causes",
            field=models.ManyToManyField(
                blank=True,
                related_name="strategies",
                to="plans.cimrootcause",
                verbose_name="root causes it addresses",
            ),
        ),
        migrations.AddField(
            model_name="strategy",
            name="problem_statements",
            field=models.ManyToManyField(
                blank=True,
                related_name="strategies",
                to="plans.cimproblemstatement",
                verbose_name="problem statements it addresses",
            ),
        ),
    ]
