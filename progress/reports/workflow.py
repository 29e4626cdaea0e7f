"""A CIM progress report's workflow: started, narrative saved, signed off by the lead, checked
before submission (early only if district staff allow it)."""

from dataclasses import dataclass
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.urls import reverse

from schoolplan import audit, clock
from schoolplan.models import CimStatus, District

from .. import report_drafts
from ..models import (
    ProgressReport,
    ReportDue,
)
from .content import prefill
from .periods import level_in_force
from .routing import report_routing


@transaction.atomic
def start_report(due, *, user):
    """Version 1 of the period's report, or a correction of its newest submitted version."""
    newest = due.reports.order_by("-version").first()
    if newest is not None and not newest.is_submitted:
        return newest
    version = (due.reports.aggregate(top=Max("version"))["top"] or 0) + 1
    report = ProgressReport(due=due, version=version, corrects=newest, prepared_by=user)
    if newest is not None:  # a correction starts from what was submitted
        report.summary, report.narratives = newest.summary, newest.narratives
        report.send_to_selpa = newest.send_to_selpa
        if newest.selpa_form_name:
            # A copy of its own: replacing the correction's form must not touch the file the
            # submitted version names.
            report_drafts.attach_copy(report, newest)
    else:
        report.narratives = prefill(report)
    report.save()
    return report


def save_narrative(report, *, summary, narratives, send_to_selpa):
    if report.is_submitted:
        raise ValidationError("The report is submitted: start a correction to change it.")
    report.summary = summary.strip()
    report.narratives = narratives
    report.send_to_selpa = send_to_selpa
    # Any change after the lead's sign-off needs their sign-off again.
    report.signed_off_by = report.signed_off_at = None
    report.save()
    return report


@transaction.atomic
def sign_off(report, *, user, edit_version=None):
    """The lead signs off the draft as they saw it: edit_version, when given, is the one their
    page showed (with their own save); a newer one is someone else's, to be read first."""
    report = ProgressReport.objects.select_for_update().get(pk=report.pk)
    if report.is_submitted:
        raise ValidationError("The report is already submitted.")
    if edit_version is not None and edit_version != report.edit_version:
        by = max(report.part_edits.values(), key=lambda e: e.get("edit", 0), default={})
        raise ValidationError(
            f"Not signed off: {by.get('name') or 'someone'} changed the report after you opened "
            "it. Read their changes below, then sign off."
        )
    report.signed_off_by, report.signed_off_at = user, clock.now()
    report.save(update_fields=["signed_off_by", "signed_off_at"])
    return report


@dataclass
class Problem:
    """Something that stops a submission, and where it is put right."""

    message: str
    link: str = ""
    link_text: str = ""


def submission_problems(report, today):
    """Why the report cannot be submitted today (the district's day), or []: the one home of
    the submission rules, read by the report page, the confirmation page and request_render."""
    due, district = report.due, report.due.district
    if report.is_submitted:
        return [Problem("The report is already submitted.")]
    problems = []
    # DOMAIN.md, 2026-12: a period's report is submitted after the period ends.
    if today <= due.period_ends and due.early_submission_allowed_at is None:
        problems.append(
            Problem(
                f"{due.label} ends on {due.period_ends:%-d %b %Y}: its report can be submitted "
                f"from {due.period_ends + timedelta(days=1):%-d %b %Y}, unless district staff "
                "allow early submission for this period."
            )
        )
    if report.signed_off_by_id is None:
        problems.append(Problem("The CIM lead signs the report off before it is submitted."))
    # DOMAIN.md, 2026-12: the routing addresses must exist before submission.
    _, recipients = report_routing(report)
    for recipient in recipients:
        if recipient.address:
            continue
        label = District._meta.get_field(recipient.field).verbose_name
        why = (
            "“Also send it to the SELPA” is ticked"
            if level_in_force(due) == CimStatus.TARGETED_1
            else f"the report goes to the {recipient.who.split(' (')[0]}"
        )
        problems.append(
            Problem(
                f"The district has no “{label}” on record, and {why}: nothing could be sent. "
                "District staff fill it in on the district's page.",
                link=reverse("district_edit", args=[district.pk]) + f"#id_{recipient.field}",
                link_text=f"Fill in “{label}”",
            )
        )
    return problems


@transaction.atomic
def allow_early_submission(due, *, user):
    """District staff let this period's report go before the period ends (audited)."""
    due = ReportDue.objects.select_for_update().get(pk=due.pk)
    if due.early_submission_allowed_at is None:
        due.early_submission_allowed_by, due.early_submission_allowed_at = user, clock.now()
        due.save(update_fields=["early_submission_allowed_by", "early_submission_allowed_at"])
        audit.record(
            user,
            "progress-report-early-submission-allowed",
            due,
            summary=f"{due} may be submitted before {due.period_ends:%-d %b %Y}",
        )
    return due
