"""PDFs are made in the Celery worker (schoolplan.pdf_jobs), never inside a request: the job's
page polls while it renders, offers the download when done, says why when it failed and offers
to try again; only the person who asked reaches it."""

from pathlib import Path

import pytest
from django.urls import reverse

from schoolplan import pdf_jobs
from schoolplan.models import PdfJob, PdfJobStatus, Role

from ..factories import member

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
