"""PDFs are made in the Celery worker (schoolplan.pdf_jobs), never inside a request: the job's
page polls while it renders, offers the download when done, says why when it failed and offers
to try again; only the person who asked reaches it."""

from pathlib import Path

import pytest
from django.urls import reverse

from schoolplan import pdf_jobs
from schoolplan.models import EssaDesignation, PdfJob, PdfJobStatus, Role

from ..clock import YEAR, on
from ..factories import SchoolFactory, member
from ..school_plan_helpers import complete_plan

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def in_process(eager_celery):
    """The worker's task runs here, when the request's transaction commits."""


@pytest.fixture
def staff(district, school_year):
    return member(Role.DISTRICT_STAFF, district)


def ask(client, district, django_capture_on_commit_callbacks, run=True):
    with django_capture_on_commit_callbacks(execute=run):
        response = client.post(reverse("compliance_pdf", args=[district.pk]))
    assert response.status_code == 302
    return PdfJob.objects.get(pk=response["Location"].rstrip("/").rsplit("/", 1)[-1])


def test_waiting_job_page_polls_and_says_so(
    client, district, staff, django_capture_on_commit_callbacks
):
    client.force_login(staff)
    job = ask(client, district, django_capture_on_commit_callbacks, run=False)
    assert job.status == PdfJobStatus.WAITING and job.requested_by == staff
    page = client.get(job.get_absolute_url()).content.decode()
    assert "Making the PDF" in page and 'role="status"' in page
    assert f'hx-get="{job.get_absolute_url()}"' in page
    assert client.get(reverse("pdf_job_download", args=[job.pk])).status_code == 404
    pdf_jobs.run_pdf_job(job.pk)  # the worker
    partial = client.get(job.get_absolute_url(), HTTP_HX_REQUEST="true").content.decode()
    assert "The PDF is ready" in partial and "<html" not in partial
    response = client.get(reverse("pdf_job_download", args=[job.pk]))
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    assert response["Cache-Control"] == "private, no-store"


def test_a_failed_job_says_why_and_tries_again(
    client, district, staff, django_capture_on_commit_callbacks, monkeypatch
):
    client.force_login(staff)

    def broken(params, user):
        raise RuntimeError("the renderer ran out of memory")

    monkeypatch.setitem(
        pdf_jobs.PDF_KINDS,
        "compliance",
        pdf_jobs.PdfKind(pdf_jobs.PDF_KINDS["compliance"].visible, broken),
    )
    job = ask(client, district, django_capture_on_commit_callbacks)
    job.refresh_from_db()
    assert job.status == PdfJobStatus.FAILED
    page = client.get(job.get_absolute_url()).content.decode()
    assert "could not be made: the renderer ran out of memory" in page and "Try again" in page
    monkeypatch.undo()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("pdf_job_retry", args=[job.pk]))
    again = PdfJob.objects.exclude(pk=job.pk).get()
    assert response["Location"] == again.get_absolute_url()
    assert again.status == PdfJobStatus.DONE and bytes(again.pdf).startswith(b"%PDF")


def test_only_the_person_who_asked_reaches_the_job(
    client, district, staff, other_school, django_capture_on_commit_callbacks
):
    client.force_login(staff)
    job = ask(client, district, django_capture_on_commit_callbacks)
    for someone in (
        member(Role.DISTRICT_STAFF, district),  # a colleague: asks for their own
        member(Role.DISTRICT_STAFF, other_school.district),
    ):
        client.force_login(someone)
        for name in ("pdf_job", "pdf_job_download"):
            assert client.get(reverse(name, args=[job.pk])).status_code == 404
        assert client.post(reverse("pdf_job_retry", args=[job.pk])).status_code == 404
    client.force_login(member(Role.DISTRICT_STAFF, other_school.district))
    assert client.post(reverse("compliance_pdf", args=[district.pk])).status_code == 404


def test_no_view_renders_a_pdf_inside_the_request():
    """render_pdf is called only by functions the worker runs, never by a view (a function
    taking the request)."""
    import ast

    offenders = []
    for app in ("schoolplan", "meetings", "plans", "progress"):
        for path in (ROOT / app).rglob("*.py"):
            tree = ast.parse(path.read_text())
            for function in ast.walk(tree):
                if not isinstance(function, ast.FunctionDef):
                    continue
                arguments = [a.arg for a in function.args.args]
                calls = {
                    getattr(node.func, "id", getattr(node.func, "attr", ""))
                    for node in ast.walk(function)
                    if isinstance(node, ast.Call)
                }
                if arguments[:1] == ["request"] and calls & {"render_pdf", "essa_pdf"}:
                    offenders.append(f"{path.relative_to(ROOT)}:{function.name}")
    assert offenders == []


def test_the_compliance_pdf_keeps_the_filters_on_screen(
    client, district, staff, django_capture_on_commit_callbacks
):
    client.force_login(staff)
    on_screen = {
        "level": "secondary",
        "title_i": "yes",
        "essa": "designated",
        "gap": "1",
        "sort": "essa",
        "dir": "desc",
        "year": str(YEAR),
    }
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("compliance_pdf", args=[district.pk]), {**on_screen, "format": "csv"}
        )
    job = PdfJob.objects.get()
    assert response["Location"] == job.get_absolute_url()
    assert job.kind == "compliance" and job.params == {"district": district.pk, "query": on_screen}
    job.refresh_from_db()
    assert job.status == PdfJobStatus.DONE and bytes(job.pdf).startswith(b"%PDF")


@pytest.fixture
def essa_plan(school, school_year, clock):
    school.essa_designation = EssaDesignation.TARGETED
    school.save()
    clock.set(on(3, 1))
    return complete_plan(school, school_year, member(Role.PRINCIPAL, school))


def test_the_essa_plan_pdf_is_made_in_the_worker_for_its_school_only(
    client, district, essa_plan, other_school, django_capture_on_commit_callbacks
):
    principal = member(Role.PRINCIPAL, essa_plan.school)
    client.force_login(principal)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("essa_pdf", args=[essa_plan.pk]))
    job = PdfJob.objects.get()
    assert response["Location"] == job.get_absolute_url()
    assert job.kind == "essa-plan" and job.params == {"plan": essa_plan.pk}
    job.refresh_from_db()
    assert job.status == PdfJobStatus.DONE and job.requested_by == principal
    page = client.get(job.get_absolute_url()).content.decode()
    download = reverse("pdf_job_download", args=[job.pk])
    assert "The PDF is ready" in page and f'href="{download}"' in page
    response = client.get(download)
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    assert f'filename="{job.filename}"' in response["Content-Disposition"]
    neighbour = SchoolFactory(district=district, name="Next Door Elementary")
    for someone in (
        member(Role.PRINCIPAL, neighbour),  # the same district, another school
        member(Role.PRINCIPAL, other_school),  # another district
    ):
        client.force_login(someone)
        for name in ("pdf_job", "pdf_job_download"):
            assert client.get(reverse(name, args=[job.pk])).status_code == 404
        assert client.post(reverse("essa_pdf", args=[essa_plan.pk])).status_code == 404
    assert PdfJob.objects.count() == 1


def test_the_old_pdf_addresses_lead_to_the_new_flow(client, district, staff, essa_plan):
    client.force_login(staff)
    dashboard = reverse("compliance", args=[district.pk])
    response = client.get(dashboard, {"format": "pdf", "level": "high"})
    assert response.status_code == 302 and response["Location"] == f"{dashboard}?level=high"
    response = client.get(reverse("essa_export", args=[essa_plan.pk, "pdf"]))
    assert response.status_code == 302 and response["Location"] == essa_plan.get_absolute_url()
    # Asking for a job is a POST (with its CSRF token): a GET makes nothing.
    assert client.get(reverse("compliance_pdf", args=[district.pk])).status_code == 405
    assert client.get(reverse("essa_pdf", args=[essa_plan.pk])).status_code == 405
    assert not PdfJob.objects.exists()
    page = client.get(dashboard).content.decode()
    action = reverse("compliance_pdf", args=[district.pk])
    assert f'method="post" action="{action}"' in page and "csrfmiddlewaretoken" in page
