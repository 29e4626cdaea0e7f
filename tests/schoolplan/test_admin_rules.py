"""The Django admin does not bypass the record rules (issue 20): minutes, plans and their items,
metrics and measurements, and progress reports are shown there, never changed or deleted (their
history, versions, amendments and audit entries live in the app's services); the e-mail outbox
lists failed sends and retries them now."""

import pytest
from django.urls import reverse

from meetings import recording
from meetings.models import Minutes
from schoolplan.mail import queue_email
from schoolplan.models import OutboxEmail, Role

from ..clock import on
from ..factories import member
from ..meeting_helpers import schedule

pytestmark = pytest.mark.django_db


@pytest.fixture
def published_minutes(clock, school, school_year):
    principal = member(Role.PRINCIPAL, school)
    meeting = schedule(school, principal, day=on(9, 15))
    clock.set(on(9, 16))  # the day after it
    recording.record_minutes(meeting, user=principal, text="We looked at the SPF.", mark_held=True)
    recording.publish_minutes(meeting, user=principal)
    return Minutes.objects.get(meeting=meeting)


def test_published_minutes_are_shown_but_not_changed_or_deleted(admin_client, published_minutes):
    change = reverse("admin:meetings_minutes_change", args=[published_minutes.pk])
    page = admin_client.get(change)
    assert page.status_code == 200 and b"We looked at the SPF." in page.content
    assert b'name="_save"' not in page.content  # a view page, no form to save
    assert admin_client.post(change, {"text": "Rewritten history"}).status_code == 403
    delete = reverse("admin:meetings_minutes_delete", args=[published_minutes.pk])
    assert admin_client.post(delete, {"post": "yes"}).status_code == 403
    published_minutes.refresh_from_db()
    assert published_minutes.text == "We looked at the SPF."


@pytest.mark.parametrize(
    "name",
    [
        "plans_planforimprovement",
        "plans_strategy",
        "plans_activity",
        "plans_outcome",
        "plans_datafinding",
        "plans_cimrootcause",
        "plans_cimproblemstatement",
        "progress_metric",
        "progress_measurement",
        "progress_progressreport",
        "meetings_minutes",
        "schoolplan_rosterimport",
    ],
)
def test_records_with_rules_cannot_be_added_changed_or_deleted_in_the_admin(
    admin_client, admin_user, rf, name
):
    from django.contrib import admin

    (model_admin,) = [
        model_admin
        for model, model_admin in admin.site._registry.items()
        if f"{model._meta.app_label}_{model._meta.model_name}" == name
    ]
    request = rf.get("/")
    request.user = admin_user  # a superuser: every permission Django's own would grant
    assert model_admin.has_view_permission(request)
    assert not model_admin.has_add_permission(request)
    assert not model_admin.has_change_permission(request)
    assert not model_admin.has_delete_permission(request)
    assert admin_client.get(reverse(f"admin:{name}_add")).status_code == 403


def test_the_outbox_lists_failed_sends_and_retries_them_now(
    admin_client, clock, django_capture_on_commit_callbacks
):
    queue_email("ok", ["a@example.org"], "Delivered", "body")
    queue_email("failed", ["b@example.org"], "Refused by SMTP", "body")
    OutboxEmail.objects.filter(key="ok").update(sent_at=clock.now(), attempts=1)
    later = clock.now().replace(year=clock.now().year + 1)
    OutboxEmail.objects.filter(key="failed").update(
        attempts=3, last_error="550 mailbox unavailable", next_attempt_at=later
    )
    changelist = reverse("admin:schoolplan_outboxemail_changelist")
    page = admin_client.get(changelist, {"state": "failed"}).content.decode()
    assert "Refused by SMTP" in page and "550 mailbox unavailable" in page
    assert "Delivered" not in page
    assert admin_client.get(reverse("admin:schoolplan_outboxemail_add")).status_code == 403
    failed = OutboxEmail.objects.get(key="failed")
    with django_capture_on_commit_callbacks() as callbacks:
        response = admin_client.post(
            changelist,
            {
                "action": "retry_now",
                "_selected_action": [failed.pk, OutboxEmail.objects.get(key="ok").pk],
            },
        )
    assert response.status_code == 302
    failed.refresh_from_db()
    assert failed.next_attempt_at is None and failed.sent_at is None
    assert len(callbacks) == 1  # the sender is woken after the commit
    delete = reverse("admin:schoolplan_outboxemail_delete", args=[failed.pk])
    assert admin_client.post(delete, {"post": "yes"}).status_code == 403
