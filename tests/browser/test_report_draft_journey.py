"""A progress report written by two people at once, then submitted (issue 18): the second save
over the first person's newer summary is refused, shows both texts and keeps the typed one; the
lead then signs off, sees the confirmation page (recipients, Reply-To and copy, the attachment
and the SHA-256 to be) and submits."""

import hashlib
from pathlib import Path

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from plans import services as plan_services
from plans.models import Strategy
from progress.models import ProgressReport
from progress.reports import periods as report_periods
from progress.reports import workflow as report_workflow
from schoolplan.models import CimStatus, CimTeam, OutboxEmail, Role

from ..cim_helpers import make_plan
from ..clock import on
from ..factories import member, set_cim_status
from .conftest import log_in
from .test_accessibility import AXE, RUN_AXE, WCAG_TAGS

pytestmark = [
    pytest.mark.browser,
    pytest.mark.calendar,
    pytest.mark.django_db(transaction=True),
]

PASSWORD = "report-draft-18"
ANAS = "Ana: the co-teaching pilot reached all grade 3-5 classrooms."
LENAS = "Lena: IEP timeliness rose to 90%; literacy coaching is under way."


@pytest.fixture
def second_page(chromium, live_server, clock):
    """Another person's browser, beside the `page` fixture's."""
    context = chromium.new_context(
        base_url=live_server.url, viewport={"width": 1280, "height": 900}
    )
    clock.follow(context)
    other = context.new_page()
    other.set_default_timeout(10_000)
    yield other
    context.close()


def _person(role, district, first, last, username):
    person = member(role, district)
    person.username, person.first_name, person.last_name = username, first, last
    person.email = f"{username}@riverbend.example.org"
    person.set_password(PASSWORD)
    person.save()
    return person


def _axe(page):
    if not AXE.exists():
        return
    # Through the DevTools protocol, which the page's Content-Security-Policy does not govern.
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(AXE.read_text())
    assert page.evaluate(RUN_AXE, WCAG_TAGS) == []


def test_two_people_write_the_report_then_the_lead_confirms_and_submits(
    page, second_page, screenshot, district, school_year, clock, eager_celery
):
    clock.set(on(8, 20))
    district.selpa_contact_email = "selpa@example.org"
    district.cde_consultant_name = "Dana Whitfield"
    district.cde_consultant_email = "dwhitfield@cde.example.gov"
    district.save()
    lead = _person(Role.CIM_LEAD, district, "Lena", "Lead", "lena")
    _person(Role.CIM_MEMBER, district, "Ana", "Ruiz", "ana")
    CimTeam.objects.create(district=district, school_year=school_year, lead=lead)
    plan, _, _ = make_plan(district, school_year, lead)
    plan_services.add(Strategy, user=lead, plan=plan, title="Family participation in IEPs")
    # 5 October: Quarter 1 (July–September) has ended; its report is due on 15 October.
    clock.set(on(10, 5), tick=True)
    report = report_workflow.start_report(
        report_periods.ensure_due_dates(district, school_year)[0], user=lead
    )
    url = report.get_absolute_url()

    log_in(page, "lena", PASSWORD)
    page.goto(url)
    log_in(second_page, "ana", PASSWORD)
    second_page.goto(url)

    # Ana saves her summary first; Lena, on the page she opened before, types hers and saves.
    second_page.get_by_label("Summary of the period").fill(ANAS)
    second_page.get_by_role("button", name="Save", exact=True).click()
    expect(second_page.get_by_text("Saved.")).to_be_visible()
    page.get_by_label("Summary of the period").fill(LENAS)
    page.get_by_label("Next steps").last.fill("Lena: invite families to the IEP nights")
    page.get_by_role("button", name="Save", exact=True).click()

    conflict = page.locator("#draft-conflict")
    expect(conflict).to_be_visible()
    expect(conflict).to_contain_text("Not everything was saved")
    expect(conflict).to_contain_text("Ana Ruiz")
    expect(page.locator(".alert", has_text="Not everything was saved")).to_have_count(1)
    expect(page.get_by_label("Summary of the period")).to_have_value(LENAS)
    expect(page.locator("#summary-conflict .theirs-text")).to_have_text(ANAS)
    expect(page.get_by_text("Saved: Next steps (High-Leverage Strategy 2)")).to_be_visible()
    screenshot(page, "18-report-draft-conflict")
    _axe(page)
    saved = ProgressReport.objects.get(pk=report.pk)
    assert saved.summary == ANAS  # nobody's words overwritten silently

    # Having read Ana's, Lena keeps hers (saving again from this page) and signs off.
    page.get_by_role("button", name="Save and sign off as CIM lead").click()
    expect(page.get_by_text("Signed off: the report can be submitted.")).to_be_visible()
    assert ProgressReport.objects.get(pk=report.pk).summary == LENAS

    page.get_by_role("button", name="Save and review the submission…").click()
    expect(page.get_by_role("heading", name="Where it goes")).to_be_visible(timeout=30_000)
    recipients = page.locator("#confirm-recipients")
    expect(recipients).to_contain_text("dwhitfield@cde.example.gov")
    expect(recipients).to_contain_text("intensivemonitoring@cde.ca.gov")
    expect(recipients).to_contain_text("Copy (cc): the CIM lead, Lena Lead")
    expect(page.locator("#confirm-reply-to")).to_contain_text("lena@riverbend.example.org")
    expect(page.locator("#confirm-attachments")).to_contain_text("quarter-1-v1.pdf")
    sha = page.locator("#confirm-sha256").inner_text().strip()
    screenshot(page, "18-report-confirm")
    _axe(page)

    page.get_by_role("button", name="Submit the report").click()
    expect(page.get_by_text("Submitted: the report is frozen and on its way.")).to_be_visible()
    screenshot(page, "18-report-submitted")
    submitted = ProgressReport.objects.get(pk=report.pk)
    assert submitted.is_submitted and submitted.pdf_sha256 == sha
    assert hashlib.sha256(bytes(submitted.pdf)).hexdigest() == sha
    email = OutboxEmail.objects.get(key=f"progress-report:{report.pk}")
    assert email.reply_to == email.cc == ["lena@riverbend.example.org"]

    # Ana's tab is out of date: her next save is refused, and says why, with her text shown.
    second_page.get_by_label("Summary of the period").fill("Ana, too late")
    second_page.get_by_role("button", name="Save", exact=True).click()
    expect(second_page.locator("#not-saved-submitted")).to_contain_text(
        "Not saved: this report was submitted"
    )
    expect(second_page.locator("#not-saved-submitted textarea")).to_have_value("Ana, too late")
    screenshot(second_page, "18-report-stale-tab")
    assert reverse("progress_report", args=[report.pk]) in second_page.url


def test_a_targeted_2_lead_attaches_the_selpas_form_and_downloads_it(
    page, screenshot, district, school_year, clock, settings, tmp_path
):
    """issue 24: the SELPA's form is an upload in the uploads' storage; the page names it with
    its size and SHA-256, and the link hands back the same file under its own name."""
    settings.MEDIA_ROOT = tmp_path
    set_cim_status(district, CimStatus.TARGETED_2)
    clock.set(on(8, 20))
    lead = _person(Role.CIM_LEAD, district, "Lena", "Lead", "lena")
    CimTeam.objects.create(district=district, school_year=school_year, lead=lead)
    plan, _, _ = make_plan(district, school_year, lead)
    plan_services.add(Strategy, user=lead, plan=plan, title="Family participation in IEPs")
    clock.set(on(1, 10), tick=True)  # Half 1 has ended
    report = report_workflow.start_report(
        report_periods.ensure_due_dates(district, school_year)[0], user=lead
    )
    form = b"%PDF-1.4\n% Riverbend SELPA progress form, completed\n" + b"0" * 2000
    (tmp_path / "upload").mkdir()
    chosen = tmp_path / "upload" / "Riverbend SELPA form.pdf"
    chosen.write_bytes(form)

    log_in(page, "lena", PASSWORD)
    page.goto(report.get_absolute_url())
    page.get_by_label("Attach the completed SELPA form").set_input_files(str(chosen))
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_text("Attached: Riverbend SELPA form.pdf")).to_be_visible()
    expect(page.get_by_text("2.0 KB")).to_be_visible()
    screenshot(page, "24-selpa-form-attached")
    with page.expect_download() as download:
        page.get_by_role("link", name="Riverbend SELPA form.pdf").click()
    assert download.value.suggested_filename == "Riverbend SELPA form.pdf"
    assert Path(download.value.path()).read_bytes() == form
    report.refresh_from_db()
    assert report.selpa_form.name.startswith(f"selpa-forms/{district.pk}/")
    assert report.selpa_form_sha256 == hashlib.sha256(form).hexdigest()
