"""CIM progress reports, issue 18: drafts written together without losing a word, and the
submission's checks, confirmation and e-mail (DOMAIN.md, 2026-12: "A period's report is
submitted after the period ends. The routing addresses must exist before submission.")."""

import hashlib
import io
import threading
import zipfile
from datetime import datetime
from html.parser import HTMLParser
from zoneinfo import ZoneInfo

import pytest
from django.core import mail as django_mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.urls import reverse
from pypdf import PdfReader

from plans import services as plan_services
from plans.models import Strategy
from progress import report_drafts
from progress.models import ProgressReport, RenderJob, ReportDue
from progress.reports import content as report_content
from progress.reports import periods as report_periods
from progress.reports import render as report_render
from progress.reports import routing as report_routes
from progress.reports import workflow as report_workflow
from schoolplan import clock as app_clock
from schoolplan import mail
from schoolplan.models import AuditEvent, CimStatus, CimTeam, OutboxEmail, Role

from ..cim_helpers import make_plan
from ..clock import YEAR, on
from ..factories import DistrictFactory, SchoolYearFactory, member, set_cim_status

# Whether a period has ended, and what the district's clock says, depend on the day stated.
pytestmark = [pytest.mark.django_db, pytest.mark.calendar]

FROM = "SchoolPlan CIM <cim-reports@schoolplan.example.org>"


class _Fields(HTMLParser):
    """The fields a browser would send from a page's forms (checked boxes only, no files)."""

    def __init__(self):
        super().__init__()
        self.fields, self._textarea = {}, None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        name = attrs.get("name")
        if tag == "input" and name and attrs.get("type") not in ("file", "submit"):
            if attrs.get("type") == "checkbox":
                if "checked" in attrs:
                    self.fields[name] = "on"
            else:
                self.fields[name] = attrs.get("value") or ""
        elif tag == "textarea" and name and "readonly" not in attrs:
            self._textarea, self.fields[name] = name, ""

    def handle_endtag(self, tag):
        if tag == "textarea":
            self._textarea = None

    def handle_data(self, data):
        if self._textarea:
            self.fields[self._textarea] += data


def form_of(client, report):
    """The report page's draft form, as this person's browser has it now."""
    parser = _Fields()
    parser.feed(client.get(report.get_absolute_url()).content.decode())
    fields = {k: v for k, v in parser.fields.items() if k != "csrfmiddlewaretoken"}
    assert fields["narrative"] == "1"
    return fields


def textarea(page, name):
    parser = _Fields()
    parser.feed(page)
    return parser.fields[name].strip()


@pytest.fixture(autouse=True)
def from_address(settings, tmp_path):
    settings.DEFAULT_FROM_EMAIL = FROM
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.MEDIA_ROOT = tmp_path  # the SELPA forms land in the test's own directory


@pytest.fixture
def lead(district, school_year):
    district.selpa_name = "Riverbend SELPA"
    district.selpa_contact_email = "selpa@example.org"
    district.cde_consultant_email = "consultant@cde.example.gov"
    district.save()
    lead = member(Role.CIM_LEAD, district)
    lead.email = "lead@riverbend.example.org"
    lead.first_name, lead.last_name = "Lena", "Lead"
    lead.save()
    team = CimTeam.objects.create(district=district, school_year=school_year, lead=lead)
    team.members.add(lead)
    return lead


@pytest.fixture
def colleague(district):
    person = member(Role.CIM_MEMBER, district)
    person.first_name, person.last_name = "Ana", "Ruiz"
    person.save()
    return person


@pytest.fixture
def plan(district, school_year, lead, clock):
    clock.set(on(8, 20))
    plan, _, _ = make_plan(district, school_year, lead)
    plan_services.add(Strategy, user=lead, plan=plan, title="Family participation in IEPs")
    return plan


def strategy_ids(plan):
    return list(plan.strategies.order_by("position", "pk").values_list("pk", flat=True))


def report_for(district, school_year, lead, number=1):
    due = next(
        d for d in report_periods.ensure_due_dates(district, school_year) if d.number == number
    )
    return report_workflow.start_report(due, user=lead)


@pytest.fixture
def report(district, school_year, lead, plan, clock):
    """Quarter 1 (Intensive 1: July–September), written on 5 October, after the quarter."""
    clock.set(on(10, 5))
    return report_for(district, school_year, lead)


@pytest.fixture
def confirm(client, django_capture_on_commit_callbacks, eager_celery):
    """The lead asks to submit from the report page: the PDF is rendered for the confirmation
    page (the task runs after the commit, as in life). Returns (response, job)."""

    def run(report, lead):
        client.force_login(lead)
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(report.get_absolute_url(), {"action": "submit"})
        job = RenderJob.objects.filter(report=report, for_confirmation=True).order_by("pk").last()
        return response, job

    return run


def sign_off(client, report, lead):
    client.force_login(lead)
    client.post(report.get_absolute_url(), {"action": "sign_off"})
    report.refresh_from_db()
    assert report.signed_off_by == lead


# --- Drafts: two people, one report --------------------------------------------------------------


def browser(user):
    """A person's own browser (their own cookies and messages)."""
    client = Client()
    client.force_login(user)
    return client


def test_a_second_save_over_newer_text_is_refused_for_that_part_only(
    report, lead, colleague, plan, district, clock
):
    district.time_zone = "America/New_York"
    district.save()
    first, second = strategy_ids(plan)
    ana, client = browser(colleague), browser(lead)
    theirs = form_of(ana, report)
    mine = form_of(client, report)
    # The colleague saves first, at 09:30 in New York (13:30 UTC).
    clock.set(datetime(on(10, 5).year, 10, 5, 9, 30, tzinfo=ZoneInfo("America/New_York")))
    theirs.update({"summary": "Ana's summary of the quarter.", f"barriers-{first}": "Ana: no subs"})
    response = ana.post(report.get_absolute_url(), {**theirs, "action": "save"})
    assert response.status_code == 302
    # The lead, from the page opened before, changes the summary and another strategy's steps.
    clock.advance(minutes=5)
    mine.update({"summary": "Lena's summary.", f"next_steps-{second}": "Lena: invite parents"})
    response = client.post(report.get_absolute_url(), {**mine, "action": "save"})
    page = response.content.decode()
    assert response.status_code == 200  # the page again, not a redirect losing the POST
    report.refresh_from_db()
    # The colleague's words stand; the lead's are in the box, and the part nobody else
    # changed is saved. The barriers the lead did not touch keep the colleague's text.
    assert report.summary == "Ana's summary of the quarter."
    assert report.narratives[str(second)]["next_steps"] == "Lena: invite parents"
    assert report.narratives[str(first)]["barriers"] == "Ana: no subs"
    assert textarea(page, "summary") == "Lena's summary."
    assert "Ana&#x27;s summary of the quarter." in page or "Ana's summary of the quarter." in page
    assert "Ana Ruiz" in page
    # One conflict message, in the district's time, not UTC.
    assert page.count('id="draft-conflict"') == 1
    assert page.count("Not everything was saved") == 1
    assert page.count("summary-conflict") == 2  # the box's note, named by the box
    assert "9:30 AM" in page and "1:30 PM" not in page
    assert "Saved: Next steps (High-Leverage Strategy 2)" in page
    assert "Saved." not in page
    # Having seen theirs, the lead saves again from this page: theirs is replaced knowingly.
    again = _Fields()
    again.feed(page)
    fields = {k: v for k, v in again.fields.items() if k != "csrfmiddlewaretoken"}
    response = client.post(report.get_absolute_url(), {**fields, "action": "save"})
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.summary == "Lena's summary."
    assert report.part_edits["summary"]["name"] == lead.display_name


def test_a_part_both_typed_identically_is_no_conflict(client, report, lead, colleague):
    client.force_login(colleague)
    theirs = form_of(client, report)
    client.force_login(lead)
    mine = form_of(client, report)
    client.force_login(colleague)
    client.post(report.get_absolute_url(), {**theirs, "summary": "Same words", "action": "save"})
    client.force_login(lead)
    response = client.post(report.get_absolute_url(), {**mine, "summary": "Same words"})
    assert response.status_code == 302
    assert ProgressReport.objects.get(pk=report.pk).summary == "Same words"


def test_a_save_without_the_pages_versions_does_not_overwrite(client, report, lead, colleague):
    """A hand-made POST naming no edit version and no base cannot prove it saw the newest text."""
    client.force_login(colleague)
    client.post(
        report.get_absolute_url(), {**form_of(client, report), "summary": "Ana's", "action": "save"}
    )
    client.force_login(lead)
    response = client.post(
        report.get_absolute_url(), {"narrative": "1", "summary": "Blind", "action": "save"}
    )
    assert response.status_code == 200 and "Not everything was saved" in response.content.decode()
    assert ProgressReport.objects.get(pk=report.pk).summary == "Ana's"


def test_a_stale_tab_after_submission_says_it_was_not_saved(client, report, lead, confirm):
    client.force_login(lead)
    stale = form_of(client, report)
    sign_off(client, report, lead)
    _, job = confirm(report, lead)
    client.post(reverse("report_confirm", args=[report.pk]), {"action": "submit", "job": job.pk})
    report.refresh_from_db()
    assert report.is_submitted
    frozen = (report.summary, report.narratives, report.pdf_sha256)
    for action in ("save", "preview", "submit", "sign_off"):
        response = client.post(
            report.get_absolute_url(),
            {**stale, "summary": f"Typed late ({action})", "action": action},
        )
        page = response.content.decode()
        assert response.status_code == 200
        assert "Not saved: this report was submitted" in page
        assert f"Typed late ({action})" in page  # shown back, to copy into a correction
        assert "Saved." not in page
        assert "Start a correction" in page
    report.refresh_from_db()
    assert (report.summary, report.narratives, report.pdf_sha256) == frozen


def test_sign_off_waits_for_the_lead_to_see_a_newer_save(client, report, lead, colleague):
    client.force_login(lead)
    stale = form_of(client, report)
    client.force_login(colleague)
    client.post(
        report.get_absolute_url(), {**form_of(client, report), "summary": "Ana's", "action": "save"}
    )
    client.force_login(lead)
    response = client.post(report.get_absolute_url(), {**stale, "action": "sign_off"}, follow=True)
    assert "Not signed off: Ana Ruiz changed the report" in response.content.decode()
    assert ProgressReport.objects.get(pk=report.pk).signed_off_by is None
    response = client.post(
        report.get_absolute_url(), {**form_of(client, report), "action": "sign_off"}
    )
    assert ProgressReport.objects.get(pk=report.pk).signed_off_by == lead


# --- When a period can be submitted -------------------------------------------------------------


@pytest.fixture
def quarter_2(district, school_year, lead, plan, clock):
    """Quarter 2 (October–December), ready on 4 December, before the quarter ends."""
    clock.set(on(12, 4))
    report = report_for(district, school_year, lead, number=2)
    return report


def test_a_period_is_submitted_only_after_it_ends(client, quarter_2, lead, confirm, clock):
    sign_off(client, quarter_2, lead)
    response, job = confirm(quarter_2, lead)
    assert job is None
    assert response["Location"] == reverse("report_confirm", args=[quarter_2.pk])
    page = client.get(response["Location"]).content.decode()
    assert f"Quarter 2 ends on 31 Dec {YEAR}" in page
    assert f"can be submitted from 1 Jan {YEAR + 1}" in page
    refused = client.post(reverse("report_confirm", args=[quarter_2.pk]), {"action": "prepare"})
    assert refused.status_code == 200 and "Quarter 2 ends on" in refused.content.decode()
    assert not RenderJob.objects.filter(report=quarter_2).exists()
    # 31 December, 21:00 in Riverbend (5:00 on 1 January in UTC): still the period's last day.
    clock.set(datetime(YEAR + 1, 1, 1, 5, 0, tzinfo=ZoneInfo("UTC")))
    assert report_workflow.submission_problems(quarter_2, app_clock.today(quarter_2.due.district))
    clock.set(on(1, 1))
    assert report_workflow.submission_problems(quarter_2, on(1, 1)) == []
    _, job = confirm(quarter_2, lead)
    assert job is not None and job.status == "done"


def test_district_staff_may_allow_early_submission(
    client, quarter_2, lead, colleague, district, confirm
):
    url = reverse("report_allow_early", args=[quarter_2.pk])
    for person in (lead, colleague):
        client.force_login(person)
        assert client.post(url).status_code == 403
    assert ReportDue.objects.get(pk=quarter_2.due_id).early_submission_allowed_at is None
    staff = member(Role.DISTRICT_STAFF, district)
    client.force_login(staff)
    page = client.get(quarter_2.get_absolute_url()).content.decode()
    assert "Allow early submission of Quarter 2" in page
    client.post(url)
    due = ReportDue.objects.get(pk=quarter_2.due_id)
    assert due.early_submission_allowed_by == staff and due.early_submission_allowed_at
    assert AuditEvent.objects.filter(
        action="progress-report-early-submission-allowed", user=staff
    ).exists()
    sign_off(client, quarter_2, lead)
    _, job = confirm(quarter_2, lead)
    assert job.status == "done"
    response = client.post(
        reverse("report_confirm", args=[quarter_2.pk]), {"action": "submit", "job": job.pk}
    )
    assert response.status_code == 302
    assert ProgressReport.objects.get(pk=quarter_2.pk).is_submitted


# --- The routing's addresses ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "field", "label", "tick"),
    [
        (CimStatus.TARGETED_2, "selpa_contact_email", "SELPA contact e-mail", False),
        (CimStatus.TARGETED_1, "selpa_contact_email", "SELPA contact e-mail", True),
        (CimStatus.INTENSIVE_2, "cde_consultant_email", "CDE FMTA consultant e-mail", False),
        (CimStatus.TARGETED_3, "cde_consultant_email", "CDE FMTA consultant e-mail", False),
    ],
)
def test_a_missing_address_blocks_submission_naming_the_field(
    client, district, school_year, lead, plan, clock, status, field, label, tick
):
    set_cim_status(district, status)
    setattr(district, field, "")
    district.save()
    clock.set(on(1, 10))  # after the first period of either length
    report = report_for(district, school_year, lead)
    client.force_login(lead)
    if tick:
        client.post(
            report.get_absolute_url(),
            {**form_of(client, report), "send_to_selpa": "on", "action": "save"},
        )
    sign_off(client, report, lead)
    response = client.post(report.get_absolute_url(), {"action": "submit"}, follow=True)
    page = response.content.decode()
    assert f"The district has no “{label}” on record" in page
    assert f"{reverse('district_edit', args=[district.pk])}#id_{field}" in page
    assert not RenderJob.objects.filter(report=report).exists()
    assert not ProgressReport.objects.get(pk=report.pk).is_submitted


def test_targeted_1_without_the_selpa_box_is_kept_and_sends_nothing(
    client, district, school_year, lead, plan, clock, confirm
):
    set_cim_status(district, CimStatus.TARGETED_1)
    district.selpa_contact_email = ""
    district.save()
    clock.set(on(1, 10))
    report = report_for(district, school_year, lead)
    sign_off(client, report, lead)
    _, job = confirm(report, lead)
    page = client.get(f"{reverse('report_confirm', args=[report.pk])}?job={job.pk}")
    assert "No e-mail is sent: the LEA keeps its report" in page.content.decode()
    client.post(reverse("report_confirm", args=[report.pk]), {"action": "submit", "job": job.pk})
    assert ProgressReport.objects.get(pk=report.pk).is_submitted
    assert not OutboxEmail.objects.exists()


# --- The confirmation page and the e-mail -------------------------------------------------------


def test_the_confirmation_shows_what_goes_and_the_submitted_hash_is_the_confirmed_one(
    client, report, lead, confirm
):
    sign_off(client, report, lead)
    response, job = confirm(report, lead)
    url = reverse("report_confirm", args=[report.pk])
    assert response["Location"] == f"{url}?job={job.pk}"
    page = client.get(response["Location"]).content.decode()
    sha = hashlib.sha256(bytes(job.pdf)).hexdigest()
    for seen in (
        "consultant@cde.example.gov",
        "intensivemonitoring@cde.ca.gov",
        "Copy (cc): the CIM lead, Lena Lead",
        "Replies go to the CIM lead, Lena Lead",
        "lead@riverbend.example.org",
        "cim-reports@schoolplan.example.org",
        f"cim-progress-report-{YEAR}-{(YEAR + 1) % 100:02d}-quarter-1-v1.pdf",
        sha,
    ):
        assert seen in page, seen
    assert not ProgressReport.objects.get(pk=report.pk).is_submitted  # nothing sent yet
    response = client.post(url, {"action": "submit", "job": job.pk})
    assert response["Location"] == report.get_absolute_url()
    report.refresh_from_db()
    assert report.is_submitted and report.pdf_sha256 == sha
    assert hashlib.sha256(bytes(report.pdf)).hexdigest() == sha
    email = OutboxEmail.objects.get(key=f"progress-report:{report.pk}")
    assert email.to == ["consultant@cde.example.gov", "intensivemonitoring@cde.ca.gov"]
    assert email.reply_to == ["lead@riverbend.example.org"]
    assert email.cc == ["lead@riverbend.example.org"]
    assert mail.send_queued() == 1
    [sent] = django_mail.outbox
    assert sent.from_email == FROM
    assert sent.reply_to == ["lead@riverbend.example.org"]
    assert sent.cc == ["lead@riverbend.example.org"]
    assert sent.to == email.to
    assert sha in sent.body
    assert hashlib.sha256(sent.attachments[0][1]).hexdigest() == sha
    # A second confirmation of the same job changes nothing.
    response = client.post(url, {"action": "submit", "job": job.pk})
    assert OutboxEmail.objects.count() == 1


def test_a_change_after_the_confirmation_needs_a_new_one(client, report, lead, colleague, confirm):
    sign_off(client, report, lead)
    _, job = confirm(report, lead)
    # The team lead changes (the Reply-To would not be the one confirmed): the content moved.
    CimTeam.objects.filter(district=report.due.district).update(lead=colleague)
    url = reverse("report_confirm", args=[report.pk])
    page = client.get(f"{url}?job={job.pk}").content.decode()
    assert "The report changed after this PDF was rendered" in page
    response = client.post(url, {"action": "submit", "job": job.pk})
    assert response.status_code == 200
    assert "Not submitted: the report changed after you confirmed it" in response.content.decode()
    assert not ProgressReport.objects.get(pk=report.pk).is_submitted
    assert not OutboxEmail.objects.exists()


def test_old_outbox_rows_without_copy_or_reply_to_still_send():
    OutboxEmail.objects.create(key="old", to=["someone@example.org"], subject="Old", body="b")
    assert mail.send_queued() == 1
    [sent] = django_mail.outbox
    assert sent.cc == [] and sent.reply_to == [] and sent.from_email == FROM


# --- Targeted 2: the SELPA's own form ---------------------------------------------------------

PDF_FORM = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _docx():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    return buffer.getvalue()


@pytest.fixture
def targeted_2(district, school_year, lead, plan, clock):
    set_cim_status(district, CimStatus.TARGETED_2)
    clock.set(on(1, 10))  # after Half 1
    return report_for(district, school_year, lead)


def test_targeted_2_sends_the_selpas_form_instead_of_our_pdf(client, targeted_2, lead, confirm):
    report = targeted_2
    client.force_login(lead)
    fields = form_of(client, report)
    upload = SimpleUploadedFile("SELPA progress form.pdf", PDF_FORM, "application/pdf")
    response = client.post(
        report.get_absolute_url(), {**fields, "selpa_form": upload, "action": "save"}
    )
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.selpa_form_name == "SELPA progress form.pdf"
    assert report.selpa_form_sha256 == hashlib.sha256(PDF_FORM).hexdigest()
    download = client.get(reverse("report_selpa_form", args=[report.pk]))
    assert b"".join(download.streaming_content) == PDF_FORM
    assert 'filename="SELPA progress form.pdf"' in download["Content-Disposition"]
    sign_off(client, report, lead)
    _, job = confirm(report, lead)
    url = reverse("report_confirm", args=[report.pk])
    page = client.get(f"{url}?job={job.pk}").content.decode()
    assert "SELPA progress form.pdf" in page and "selpa@example.org" in page
    assert "sent instead of our PDF" in page
    client.post(url, {"action": "submit", "job": job.pk})
    report.refresh_from_db()
    assert report.is_submitted and report.selpa_form.read() == PDF_FORM
    # Our PDF: kept as the record of all the template's information, naming the form sent.
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(bytes(report.pdf))).pages)
    assert "Sent on the SELPA's form" in text and "SELPA progress form.pdf" in text
    assert report.content["selpa_form"]["sha256"] == report.selpa_form_sha256
    email = OutboxEmail.objects.get()
    assert email.to == ["selpa@example.org"]
    assert email.attachment_name == "SELPA progress form.pdf"
    assert email.attachment_mimetype == "application/pdf"
    mail.send_queued()
    assert django_mail.outbox[0].attachments[0][1] == PDF_FORM


def _attach_form(client, report, name, data):
    client.force_login(report.prepared_by)
    client.post(
        report.get_absolute_url(),
        {
            **form_of(client, report),
            "selpa_form": SimpleUploadedFile(name, data, "application/pdf"),
            "action": "save",
        },
    )
    report.refresh_from_db()
    return report


def _submit(client, report, lead, confirm):
    sign_off(client, report, lead)
    _, job = confirm(report, lead)
    response = client.post(
        reverse("report_confirm", args=[report.pk]), {"action": "submit", "job": job.pk}
    )
    report.refresh_from_db()
    return response


def test_a_correction_has_its_own_copy_of_the_form(
    client, targeted_2, lead, confirm, settings, django_capture_on_commit_callbacks
):
    """issue 24: the form is a file in the uploads' storage. The correction starts from a copy,
    so replacing it there leaves the submitted version's file as it was sent."""
    report = _attach_form(client, targeted_2, "SELPA form.pdf", PDF_FORM)
    _submit(client, report, lead, confirm)
    assert report.is_submitted and report.selpa_form_size == len(PDF_FORM)
    correction = report_workflow.start_report(report.due, user=lead)
    assert correction.selpa_form_name == "SELPA form.pdf"
    assert correction.selpa_form.name != report.selpa_form.name
    assert correction.selpa_form.read() == PDF_FORM
    newer = PDF_FORM + b"\n% corrected"
    with django_capture_on_commit_callbacks(execute=True):
        _attach_form(client, correction, "SELPA form.pdf", newer)
    assert correction.selpa_form.read() == newer
    assert correction.selpa_form_sha256 == hashlib.sha256(newer).hexdigest()
    report.refresh_from_db()
    assert report.selpa_form.read() == PDF_FORM  # the submitted version's file is untouched
    stored = sorted(p.name for p in (settings.MEDIA_ROOT / "selpa-forms").rglob("*.pdf"))
    assert len(stored) == 2  # the copy the correction replaced is gone


def test_a_stored_form_that_changed_is_not_sent(client, targeted_2, lead, confirm):
    """The SHA-256 taken at upload is checked when the report is sent: a file changed in
    storage is refused with a message, and the report stays unsubmitted."""
    report = _attach_form(client, targeted_2, "SELPA form.pdf", PDF_FORM)
    with open(report.selpa_form.path, "ab") as stored:
        stored.write(b"tampered")
    response = _submit(client, report, lead, confirm)
    assert not report.is_submitted
    assert "is not the file that was attached" in response.content.decode()
    assert not OutboxEmail.objects.exists()


def test_a_word_form_is_accepted(client, targeted_2, lead):
    client.force_login(lead)
    upload = SimpleUploadedFile("form.docx", _docx(), "application/octet-stream")
    client.post(
        targeted_2.get_absolute_url(),
        {**form_of(client, targeted_2), "selpa_form": upload, "action": "save"},
    )
    targeted_2.refresh_from_db()
    assert targeted_2.selpa_form_type == report_drafts.DOCX


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("form.exe", b"MZ...", "is not a PDF or Word (.docx) file"),
        ("form.pdf", b"<html>not a pdf</html>", "is named .pdf but is not a PDF file"),
        ("form.docx", b"PK\x03\x04 broken", "is named .docx but is not a Word document"),
        ("form.pdf", b"", "is empty"),
        ("big.pdf", b"%PDF-" + b"x" * 200, "form may be at most 100"),
    ],
)
def test_a_bad_upload_is_refused_and_keeps_what_was_typed(
    client, targeted_2, lead, monkeypatch, name, data, message
):
    monkeypatch.setattr(report_drafts, "SELPA_FORM_MAX_BYTES", 100)
    client.force_login(lead)
    fields = form_of(client, targeted_2)
    upload = SimpleUploadedFile(name, data, "application/pdf")
    response = client.post(
        targeted_2.get_absolute_url(),
        {**fields, "summary": "Typed with the upload", "selpa_form": upload, "action": "save"},
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert message in page and 'id="selpa_form-error"' in page
    assert textarea(page, "summary") == "Typed with the upload"
    report = ProgressReport.objects.get(pk=targeted_2.pk)
    assert report.summary == "" and not report.selpa_form_name and report.edit_version == 0


def test_only_targeted_2_takes_the_selpas_form(client, report, lead):
    client.force_login(lead)
    upload = SimpleUploadedFile("form.pdf", PDF_FORM, "application/pdf")
    response = client.post(
        report.get_absolute_url(),
        {**form_of(client, report), "selpa_form": upload, "action": "save"},
    )
    assert "Only a Targeted 2 report is sent on the SELPA" in response.content.decode()
    assert not ProgressReport.objects.get(pk=report.pk).selpa_form_name


# --- Who may do what ---------------------------------------------------------------------------


def test_members_save_only_the_lead_submits(client, report, lead, colleague, district, confirm):
    client.force_login(colleague)
    fields = form_of(client, report)
    response = client.post(report.get_absolute_url(), {**fields, "summary": "By Ana"})
    assert response.status_code == 302
    assert ProgressReport.objects.get(pk=report.pk).summary == "By Ana"
    confirm_url = reverse("report_confirm", args=[report.pk])
    for person in (colleague, member(Role.DISTRICT_STAFF, district)):
        client.force_login(person)
        assert client.post(report.get_absolute_url(), {"action": "submit"}).status_code == 403
        assert client.get(confirm_url).status_code == 403
        assert client.post(confirm_url, {"action": "prepare"}).status_code == 403
    assert not RenderJob.objects.exists()


def test_a_ta_provider_and_another_district_change_nothing(
    client, report, lead, district, other_school, clock
):
    before = ProgressReport.objects.values().get(pk=report.pk)
    ta = member(Role.TA_PROVIDER, district)
    stranger_lead = member(Role.CIM_LEAD, other_school.district)
    stranger_staff = member(Role.DISTRICT_STAFF, other_school.district)
    upload = SimpleUploadedFile("form.pdf", PDF_FORM, "application/pdf")
    cases = [
        (ta, report.get_absolute_url(), {"narrative": "1", "summary": "x", "action": "save"}, 403),
        (ta, reverse("report_confirm", args=[report.pk]), {"action": "prepare"}, 403),
        (ta, reverse("report_allow_early", args=[report.pk]), {}, 403),
    ]
    for person in (stranger_lead, stranger_staff):
        cases += [
            (person, report.get_absolute_url(), {"narrative": "1", "selpa_form": upload}, 404),
            (person, reverse("report_confirm", args=[report.pk]), {"action": "prepare"}, 404),
            (person, reverse("report_allow_early", args=[report.pk]), {}, 404),
        ]
    for person, url, data, status in cases:
        client.force_login(person)
        assert client.post(url, data).status_code == status, (person, url)
    for person in (stranger_lead, stranger_staff):
        client.force_login(person)
        for name in ("report_confirm", "report_selpa_form", "progress_report"):
            assert client.get(reverse(name, args=[report.pk])).status_code == 404
    assert ProgressReport.objects.values().get(pk=report.pk) == before
    assert not RenderJob.objects.exists()
    assert ReportDue.objects.get(pk=report.due_id).early_submission_allowed_at is None


def test_another_districts_level_and_addresses_are_its_own():
    """Routing reads the report's own district and the period's level."""
    here = DistrictFactory(cim_status=CimStatus.TARGETED_2, selpa_contact_email="")
    there = DistrictFactory(cim_status=CimStatus.INTENSIVE_1, cde_consultant_email="c@x.org")
    year = SchoolYearFactory(district=here, start_year=YEAR)
    SchoolYearFactory(district=there, start_year=YEAR)
    due = report_periods.ensure_due_dates(here, year)[0]
    headline, recipients = report_routes.routing(here, due=due)
    assert headline.startswith("Targeted 2") and recipients == [("SELPA (not named)", "")]


# --- Two saves at the same moment, and the page that waits for the rendering ---------------------


@pytest.mark.django_db(transaction=True)
def test_two_saves_at_once_lose_nothing(district, school_year, clock):
    """Two people press Save at the same moment from the same page state: one changes the
    summary and a strategy's barriers, the other the summary and another part. Exactly one
    summary wins, the other is refused; both other parts are saved (PostgreSQL's row lock)."""
    if connection.vendor != "postgresql":
        pytest.skip("row locks need PostgreSQL; CI runs this on it")
    clock.set(on(10, 5))
    lead = member(Role.CIM_LEAD, district)
    ana = member(Role.CIM_MEMBER, district)
    plan, _, _ = make_plan(district, school_year, lead)
    plan_services.add(Strategy, user=lead, plan=plan, title="Family participation in IEPs")
    first, second = strategy_ids(plan)
    report = report_for(district, school_year, lead)
    ids = report_content.strategy_ids(report)
    shown = report_drafts.parts(report, ids)
    bases = {key: report_drafts.token(value) for key, value in shown.items()}
    results, barrier = {}, threading.Barrier(2)

    def save(user, posted):
        from django.db import connection as thread_connection

        try:
            barrier.wait()
            draft = report_drafts.save_draft(
                report,
                user=user,
                posted=posted,
                bases=bases,
                edit_version=0,
                strategy_ids=ids,
            )
            results[user.pk] = draft
        finally:
            thread_connection.close()

    threads = [
        threading.Thread(
            target=save, args=(lead, {"summary": "Lena's", f"barriers-{first}": "Lena's barriers"})
        ),
        threading.Thread(
            target=save, args=(ana, {"summary": "Ana's", f"next_steps-{second}": "Ana's steps"})
        ),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    refused = [d for d in results.values() if d.conflicts]
    assert len(refused) == 1 and list(refused[0].conflicts) == ["summary"]
    saved = ProgressReport.objects.get(pk=report.pk)
    assert saved.summary in ("Lena's", "Ana's")
    assert refused[0].conflicts["summary"].theirs == saved.summary
    assert saved.narratives[str(first)]["barriers"] == "Lena's barriers"
    assert saved.narratives[str(second)]["next_steps"] == "Ana's steps"
    assert saved.edit_version == 2


def test_the_confirmation_page_polls_until_the_pdf_is_ready(client, report, lead):
    sign_off(client, report, lead)
    job = RenderJob.objects.create(
        report=report, for_confirmation=True, content=report_content.build_content(report)
    )
    page = client.get(f"{reverse('report_confirm', args=[report.pk])}?job={job.pk}")
    text = page.content.decode()
    assert 'hx-trigger="load delay:1s"' in text and "Rendering the PDF to submit" in text
    poll = reverse("render_job", args=[job.pk])
    assert "Rendering the PDF to submit" in client.get(poll).content.decode()
    report_render.run_job(job.pk)
    response = client.get(poll, headers={"HX-Request": "true"})
    assert response.status_code == 204
    assert response["HX-Redirect"].endswith(f"/submit/?job={job.pk}")
    assert not ProgressReport.objects.get(pk=report.pk).is_submitted


def test_the_selpa_box_ticked_meanwhile_stays_ticked(
    district, school_year, lead, colleague, plan, clock
):
    """A box has two states: if only the other person changed it, theirs stays (an unticked
    box in a stale page is not an untick); if both changed it, they agree."""
    set_cim_status(district, CimStatus.TARGETED_1)
    clock.set(on(1, 10))
    report = report_for(district, school_year, lead)
    ana, client = browser(colleague), browser(lead)
    theirs, mine = form_of(ana, report), form_of(client, report)
    assert "send_to_selpa" not in mine and "base-send_to_selpa" in mine
    ana.post(report.get_absolute_url(), {**theirs, "send_to_selpa": "on", "action": "save"})
    response = client.post(report.get_absolute_url(), {**mine, "summary": "Kept locally"})
    assert response.status_code == 302
    saved = ProgressReport.objects.get(pk=report.pk)
    assert saved.send_to_selpa and saved.summary == "Kept locally"
    page = client.get(report.get_absolute_url()).content.decode()
    assert 'id="send_to_selpa" name="send_to_selpa" checked' in page
