import pytest
from django.core.management import call_command

from meetings.models import (
    ActionItem,
    AgendaItem,
    AssessmentPoint,
    CapMeeting,
    Goal,
    Meeting,
    Minutes,
    PupilNote,
    SchoolClass,
)
from plans.models import Blueprint, Cadre, EssaPlan, PlanChange, SurveyResponse
from progress.models import Metric, ProgressReport, ReportDue, SpfResult, SpfSummary
from schoolplan.models import District, Membership, Role, School, SchoolYear, User

pytestmark = pytest.mark.django_db


def snapshot():
    return {
        model.__name__: sorted(model.objects.values_list())
        for model in (
            District,
            School,
            SchoolYear,
            User,
            Membership,
            Meeting,
            AgendaItem,
            Minutes,
            Goal,
            ActionItem,
            AssessmentPoint,
            SchoolClass,
            CapMeeting,
            PupilNote,
            EssaPlan,
            Blueprint,
            Cadre,
            SurveyResponse,
            Metric,
            PlanChange,
            SpfResult,
            SpfSummary,
            ReportDue,
        )
    }


def test_demo_data_is_idempotent(capsys):
    call_command("demo_data")
    first = snapshot()
    assert first["Meeting"], "the demo shows some meetings"
    out = capsys.readouterr().out
    call_command("demo_data")
    assert snapshot() == first
    assert "0 records created" in capsys.readouterr().out
    assert "every password: schoolplan-demo" in out


def test_demo_data_is_realistic():
    call_command("demo_data")
    riverbend = District.objects.get(slug="riverbend-usd")
    schools = riverbend.schools.all()
    assert 10 <= schools.count() <= 14
    assert {s.level for s in schools} == {"elementary", "middle", "high"}
    assert schools.filter(title_i=True).exists() and schools.filter(title_i=False).exists()
    assert schools.exclude(essa_designation="none").exists()
    # The current year, and the one before (its SPF results sit beside this year's).
    assert SchoolYear.objects.filter(district=riverbend).count() == 2
    held = set(Membership.objects.values_list("role", flat=True))
    assert held == set(Role.values)
    for membership in Membership.objects.all():
        membership.full_clean()


def test_demo_principal_can_log_in(client):
    call_command("demo_data")
    response = client.post(
        "/accounts/login/", {"username": "principal", "password": "schoolplan-demo"}
    )
    assert response.status_code == 302
    assert b"Valdez Elementary" in client.get("/").content


def test_demo_has_school_plans_to_show():
    call_command("demo_data")
    plan = EssaPlan.objects.get(school__name="Valdez Elementary")
    assert plan.status == "draft" and plan.problems.exists()
    assert set(plan.metrics.values_list("kind", flat=True)) == {"leading", "lagging"}
    assert Blueprint.objects.get(school=plan.school).is_published
    cadre = Cadre.objects.get(school=plan.school)
    assert cadre.members.filter(account__username="parent").exists()
    assert cadre.surveys.get().responses.count() == 10
    assert plan.changes.filter(action="added").count() > 1  # built through the history


def test_demo_has_spf_results_and_a_published_family_summary(client):
    call_command("demo_data")
    riverbend = District.objects.get(slug="riverbend-usd")
    assert (
        SpfResult.objects.filter(school__district=riverbend).count()
        == 2 * riverbend.schools.count()
    )
    summary = SpfSummary.objects.get(school__name="Valdez Elementary")
    assert summary.is_published and set(summary.texts) == {"en", "es"}
    page = client.get(f"/families/{summary.school.public_slug}/es/").content.decode()
    assert "Cómo le va a nuestra escuela" in page and "Nuestros estudiantes avanzan" in page


def test_demo_has_a_submitted_progress_report_once_the_first_is_due():
    from django.utils import timezone

    call_command("demo_data")
    first = ReportDue.objects.get(district__slug="riverbend-usd", number=1)
    if first.due_on >= timezone.localdate():  # early in the school year: nothing due yet
        assert not ProgressReport.objects.exists()
        return
    report = ProgressReport.objects.get()
    assert report.is_submitted and bytes(report.pdf).startswith(b"%PDF")
    assert report.due == first
