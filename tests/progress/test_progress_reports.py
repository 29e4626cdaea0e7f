"""CIM progress reports (seed 001; DOMAIN: CIM, Progress): due dates by level, routing by level,
the PDF, submission through the render task, the frozen report, corrections."""

import hashlib
import io
from decimal import Decimal

import pytest
from django.db import IntegrityError, connection, transaction
from django.urls import reverse
from pypdf import PdfReader

from meetings.models import GroupNote, PupilNote
from plans import services as plan_services
from plans.models import Strategy
from progress.models import (
    Measurement,
    ProgressReport,
    RenderJob,
    ReportDue,
    ReportStatus,
    SubmittedReportError,
)
from progress.reports import content as report_content
from progress.reports import periods as report_periods
from progress.reports import render as report_render
from progress.reports import routing as report_routes
from progress.reports import workflow as report_workflow
from schoolplan.models import CimStatus, OutboxEmail, Role

from ..cap_helpers import make_class, make_point, schedule_cap
from ..cim_helpers import make_plan, review_on
from ..clock import YEAR, on
from ..factories import DistrictFactory, SchoolYearFactory, member, set_cim_status
from ..pdf_helpers import assert_tagged

# Reports are due, late or overdue as of the day the test states (the clock fixture).
pytestmark = [pytest.mark.django_db, pytest.mark.calendar]


@pytest.mark.parametrize(
    ("status", "periods"),
    [
        (CimStatus.NONE, []),
        (
            CimStatus.TARGETED_1,
            [
                (on(7, 1), on(12, 31), on(1, 31)),
                (on(1, 1), on(6, 30), on(7, 31, start_year=YEAR + 1)),
            ],
        ),
        (CimStatus.TARGETED_3, "two"),
        (
            CimStatus.INTENSIVE_2,
            [
                (on(7, 1), on(9, 30), on(10, 15)),
                (on(10, 1), on(12, 31), on(1, 15)),
                (on(1, 1), on(3, 31), on(4, 15)),
                (on(4, 1), on(6, 30), on(7, 15, start_year=YEAR + 1)),
            ],
        ),
    ],
)
def test_due_dates_follow_the_monitoring_level(status, periods):
    district = DistrictFactory(cim_status=status)
    year = SchoolYearFactory(district=district, start_year=YEAR)
    dues = report_periods.ensure_due_dates(district, year)
    got = [(d.period_starts, d.period_ends, d.due_on) for d in dues]
    if periods == "two":
        assert len(got) == 2
    else:
        assert got == periods
    assert [d.number for d in dues] == list(range(1, len(got) + 1))
    assert report_periods.ensure_due_dates(district, year) == dues  # idempotent


def test_a_draft_follows_when_the_level_is_corrected(school_year, district):
    """The level on record all along corrected (Targeted 2 to Intensive 1): the periods are
    rebuilt and a draft follows the period that starts where it did, its text kept. Only a
    submitted period stays as it was (tests/schoolplan/test_cim_levels.py)."""
    set_cim_status(district, CimStatus.TARGETED_2)
    first, second = report_periods.ensure_due_dates(district, school_year)
    report_workflow.start_report(first, user=None)
    set_cim_status(district, CimStatus.INTENSIVE_1)
    dues = report_periods.ensure_due_dates(district, school_year)
    assert [d.label for d in dues] == ["Quarter 1", "Quarter 2", "Quarter 3", "Quarter 4"]
    kept = ReportDue.objects.get(pk=first.pk)
    assert (kept.period_starts, kept.period_ends) == (on(7, 1), on(9, 30))
    assert kept.reports.count() == 1
    assert not ReportDue.objects.filter(pk=second.pk).exists()


def test_district_staff_move_a_due_date_but_not_before_the_period_ends(
    client, district, school_year
):
    client.force_login(member(Role.DISTRICT_STAFF, district))
    url = reverse("report_due_dates", args=[district.pk])
    client.post(url, {"year": YEAR, "due-1": on(10, 31).isoformat()})
    assert ReportDue.objects.get(district=district, number=1).due_on == on(10, 31)
    response = client.post(url, {"year": YEAR, "due-2": on(11, 1).isoformat()}, follow=True)
    assert "cannot be due before its period ends" in response.content.decode()
    assert ReportDue.objects.get(district=district, number=2).due_on == on(1, 15)
    client.force_login(member(Role.CIM_LEAD, district))
    assert client.post(url, {"year": YEAR, "due-1": on(12, 1).isoformat()}).status_code == 403


@pytest.mark.parametrize(
    "bad", ["0000-01-01", f"{YEAR + 1}-02-30", on(10, 15, start_year=YEAR + 1).isoformat()]
)
def test_due_dates_are_saved_all_or_none(client, district, school_year, bad):
    """A well-formed impossible date (year 0, 30 February) was a 500, and a refused date left
    the others saved: now one refused date saves none, and says which and why."""
    client.force_login(member(Role.DISTRICT_STAFF, district))
    url = reverse("report_due_dates", args=[district.pk])
    before = list(ReportDue.objects.filter(district=district).values_list("due_on", flat=True))
    response = client.post(
        url, {"year": YEAR, "due-1": on(1, 20).isoformat(), "due-2": bad, "due-3": "²"}, follow=True
    )
    assert response.status_code == 200
    assert "No date was saved" in response.content.decode()
    after = list(ReportDue.objects.filter(district=district).values_list("due_on", flat=True))
    assert after == before


RECIPIENTS = {
    CimStatus.NONE: [],
    CimStatus.TARGETED_1: [],
    CimStatus.TARGETED_2: ["selpa@example.org"],
    CimStatus.TARGETED_3: ["consultant@cde.example.gov", "targetedmonitoring@cde.ca.gov"],
    CimStatus.INTENSIVE_1: ["consultant@cde.example.gov", "intensivemonitoring@cde.ca.gov"],
    CimStatus.INTENSIVE_2: ["consultant@cde.example.gov", "intensivemonitoring@cde.ca.gov"],
    CimStatus.INTENSIVE_3: ["consultant@cde.example.gov", "intensivemonitoring@cde.ca.gov"],
}


@pytest.mark.parametrize("status", list(CimStatus))
def test_recipients_per_level(status):
    district = DistrictFactory(
        cim_status=status,
        selpa_contact_email="selpa@example.org",
        cde_consultant_email="consultant@cde.example.gov",
    )
    headline, recipients = report_routes.routing(district)
    assert [address for _, address in recipients] == RECIPIENTS[status]
    assert headline
    if status == CimStatus.TARGETED_1:
        _, chosen = report_routes.routing(district, send_to_selpa=True)
        assert [address for _, address in chosen] == ["selpa@example.org"]


@pytest.fixture
def lead(district):
    district.selpa_contact_email = "selpa@example.org"
    district.cde_consultant_email = "consultant@cde.example.gov"
    district.save()
    return member(Role.CIM_LEAD, district)


@pytest.fixture
def setup(district, school_year, lead, clock):
    """The first quarter's review held on 20 August; the report written on 5 October, after the
    quarter ends and before it is due (15 October)."""
    clock.set(on(8, 20))
    plan, activity, metric = make_plan(district, school_year, lead)
    plan_services.add(Strategy, user=lead, plan=plan, title="Family participation in IEPs")
    review = review_on(district, lead, on(8, 20))
    review.status = "held"
    review.save()
    Measurement.objects.create(metric=metric, date=on(8, 20), value=Decimal("21"), review=review)
    from progress.models import ActivityReview

    ActivityReview.objects.create(
        review=review,
        activity=activity,
        status="in_progress",
        barriers="Two co-teachers on leave",
        next_steps="Hire substitutes",
    )
    due = report_periods.ensure_due_dates(district, school_year)[0]  # Quarter 1 (Intensive 1)
    clock.set(on(10, 5))
    return {"plan": plan, "activity": activity, "metric": metric, "due": due}


def test_the_report_is_prefilled_from_the_periods_reviews(setup, lead):
    report = report_workflow.start_report(setup["due"], user=lead)
    strategy = str(setup["plan"].strategies.first().pk)
    assert report.narratives[strategy]["barriers"] == "Coach co-teachers: Two co-teachers on leave"
    content = report_content.build_content(report)
    first = content["strategies"][0]
    assert first["activities"][0]["status"] == "In progress"
    assert first["activities"][0]["outcomes"][0]["metric"]["in_period"] == [
        {"date": on(8, 20).isoformat(), "value": "21.00"}
    ]
    assert content["reviews_held"] == [on(8, 20).isoformat()]
    assert content["lea"]["name"] == "Riverbend USD"


def draft(report, **fields):
    """A save of the report page's form, made from the edit version the page would show."""
    report.refresh_from_db()
    return {"narrative": "1", "edit_version": report.edit_version, **fields}


@pytest.fixture
def submit(client, django_capture_on_commit_callbacks, eager_celery):
    """Sign off and submit as the lead: the render task runs (after the commit, as in life) for
    the confirmation page, and the lead confirms."""

    def run(report, lead):
        client.force_login(lead)
        url = report.get_absolute_url()
        client.post(url, {"action": "save", **draft(report, summary="A good quarter.")})
        client.post(url, {"action": "sign_off"})
        with django_capture_on_commit_callbacks(execute=True):
            confirm = client.post(url, {"action": "submit"})
        job = RenderJob.objects.filter(report=report, for_confirmation=True).latest("pk")
        assert confirm["Location"].endswith(f"?job={job.pk}")
        return client.post(
            reverse("report_confirm", args=[report.pk]), {"action": "submit", "job": job.pk}
        )

    return run


def test_submitting_renders_freezes_and_sends(client, setup, lead, submit):
    report = report_workflow.start_report(setup["due"], user=lead)
    response = submit(report, lead)
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.status == ReportStatus.SUBMITTED and report.submitted_by == lead
    pdf = bytes(report.pdf)
    assert report.pdf_sha256 == hashlib.sha256(pdf).hexdigest()
    reader = PdfReader(io.BytesIO(pdf))
    text = "\n".join(page.extract_text() for page in reader.pages)
    assert "Riverbend USD" in text and "Page 1 of" in text
    assert "Tier 1 literacy" in text and "Family participation in IEPs" in text
    assert "A good quarter." in text
    assert reader.metadata.title.startswith("CIM progress report – Riverbend USD")
    assert reader.metadata.author == lead.display_name
    assert_tagged(pdf, reader.metadata.title)
    email = OutboxEmail.objects.get(key=f"progress-report:{report.pk}")
    assert email.to == ["consultant@cde.example.gov", "intensivemonitoring@cde.ca.gov"]
    assert email.attachment_base64 and email.attachment_name.endswith("-v1.pdf")
    page = client.get(report.get_absolute_url()).content.decode()
    assert report.pdf_sha256 in page


def test_the_frozen_pdf_stays_when_the_data_changes(client, setup, lead, submit):
    report = report_workflow.start_report(setup["due"], user=lead)
    submit(report, lead)
    report.refresh_from_db()
    sha, pdf, content = report.pdf_sha256, bytes(report.pdf), report.content
    # The plan and its measurements change after submission...
    setup["activity"].title = "Renamed activity"
    setup["activity"].save()
    Measurement.objects.create(metric=setup["metric"], date=on(9, 1), value=Decimal("29"))
    frozen = ProgressReport.objects.get(pk=report.pk)
    assert frozen.pdf_sha256 == sha == hashlib.sha256(bytes(frozen.pdf)).hexdigest()
    assert bytes(frozen.pdf) == pdf and frozen.content == content
    response = client.get(reverse("progress_report_pdf", args=[report.pk]))
    assert hashlib.sha256(response.content).hexdigest() == sha


def test_a_submitted_report_cannot_be_changed_or_deleted_through_the_app(
    client, setup, lead, submit
):
    report = report_workflow.start_report(setup["due"], user=lead)
    submit(report, lead)
    report.refresh_from_db()
    report.summary = "Rewritten"
    with pytest.raises(SubmittedReportError):
        report.save()
    with pytest.raises(SubmittedReportError):
        report.delete()
    with pytest.raises(Exception, match="submitted"):
        report_workflow.save_narrative(report, summary="x", narratives={}, send_to_selpa=False)
    client.post(report.get_absolute_url(), {"action": "save", **draft(report, summary="Sneaky")})
    assert ProgressReport.objects.get(pk=report.pk).summary == "A good quarter."


def test_the_database_refuses_changes_to_a_submitted_report(client, setup, lead, submit):
    if connection.vendor != "postgresql":
        pytest.skip("the trigger is PostgreSQL's; CI runs this on it")
    report = report_workflow.start_report(setup["due"], user=lead)
    submit(report, lead)
    with pytest.raises(IntegrityError), transaction.atomic():
        ProgressReport.objects.filter(pk=report.pk).update(summary="Rewritten")
    with pytest.raises(IntegrityError), transaction.atomic():
        ProgressReport.objects.filter(pk=report.pk).delete()
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "UPDATE progress_progressreport SET pdf_sha256 = 'x' WHERE id = %s", [report.pk]
        )
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM progress_progressreport WHERE id = %s", [report.pk])
    assert ProgressReport.objects.get(pk=report.pk).summary == "A good quarter."
    # A draft is still free to change.
    draft = report_workflow.start_report(setup["due"], user=lead)
    assert ProgressReport.objects.filter(pk=draft.pk).update(summary="Fine") == 1


def test_a_correction_is_a_new_version_linked_to_the_old(client, setup, lead, submit):
    report = report_workflow.start_report(setup["due"], user=lead)
    submit(report, lead)
    response = client.post(report.get_absolute_url(), {"action": "correct"})
    correction = ProgressReport.objects.get(version=2)
    assert response["Location"] == correction.get_absolute_url()
    assert correction.corrects == report and correction.status == ReportStatus.DRAFT
    assert correction.summary == "A good quarter."
    submit(correction, lead)
    correction.refresh_from_db()
    assert (
        correction.is_submitted
        and correction.pdf_sha256 != ProgressReport.objects.get(version=1).pdf_sha256
    )
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(bytes(correction.pdf))).pages)
    assert "version 2, correcting version 1" in text


def test_only_the_lead_signs_off_and_submits(
    client, setup, district, django_capture_on_commit_callbacks, eager_celery
):
    member_ = member(Role.CIM_MEMBER, district)
    report = report_workflow.start_report(setup["due"], user=member_)
    client.force_login(member_)
    assert client.post(report.get_absolute_url(), {"action": "sign_off"}).status_code == 403
    assert client.post(report.get_absolute_url(), {"action": "submit"}).status_code == 403
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(report.get_absolute_url(), {"action": "preview", "summary": "Draft"})
    assert response.status_code == 302  # members preview
    assert RenderJob.objects.get().status == "done"
    assert ProgressReport.objects.get().status == ReportStatus.DRAFT


def test_submission_needs_the_leads_sign_off(client, setup, lead):
    report = report_workflow.start_report(setup["due"], user=lead)
    client.force_login(lead)
    client.post(report.get_absolute_url(), {"action": "submit"}, follow=True)
    assert ProgressReport.objects.get().status == ReportStatus.DRAFT
    client.post(report.get_absolute_url(), {"action": "sign_off"})
    client.post(
        report.get_absolute_url(),
        {"action": "save", **draft(report, summary="Changed after sign-off")},
    )
    report.refresh_from_db()
    assert report.signed_off_by is None  # a change needs the lead's sign-off again


def test_another_district_cannot_reach_a_report(client, setup, lead, other_school):
    report = report_workflow.start_report(setup["due"], user=lead)
    stranger = member(Role.CIM_LEAD, other_school.district)
    client.force_login(stranger)
    assert client.get(report.get_absolute_url()).status_code == 404
    assert client.post(report.get_absolute_url(), {"action": "sign_off"}).status_code == 404
    assert (
        client.get(reverse("progress_reports", args=[setup["due"].district_id])).status_code == 404
    )


def test_the_preview_page_polls_until_the_pdf_is_ready(client, setup, lead):
    report = report_workflow.start_report(setup["due"], user=lead)
    job = RenderJob.objects.create(report=report, content=report_content.build_content(report))
    client.force_login(lead)
    page = client.get(reverse("render_job", args=[job.pk])).content.decode()
    assert 'hx-trigger="load delay:1s"' in page and "Rendering the preview" in page
    report_render.run_job(job.pk)
    page = client.get(reverse("render_job", args=[job.pk])).content.decode()
    assert "open the PDF" in page
    pdf = client.get(reverse("render_job_pdf", args=[job.pk]))
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")


def test_no_pupil_level_data_reaches_a_report(client, setup, lead, school, school_year, submit):
    teacher = member(Role.SCHOOL_STAFF, school)
    cap = schedule_cap(
        make_class(school, school_year, teacher), make_point(school, school_year), teacher
    )
    PupilNote.objects.create(cap=cap.cap, pupil="JD", note="CANARY-pupil-9c1d")
    GroupNote.objects.create(cap=cap.cap, group="Set 2", note="CANARY-group-9c1d")
    report = report_workflow.start_report(setup["due"], user=lead)
    submit(report, lead)
    report.refresh_from_db()
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(bytes(report.pdf))).pages)
    assert "CANARY" not in text and "CANARY" not in str(report.content)


def test_the_reports_page_lists_the_periods(client, setup, lead):
    client.force_login(lead)
    page = client.get(reverse("progress_reports", args=[setup["due"].district_id])).content.decode()
    assert "Quarter 1" in page and "Quarter 4" in page and "intensivemonitoring@cde.ca.gov" in page
