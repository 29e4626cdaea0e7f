"""The audit log (sign-ins and changes to submitted or published records) and the session
time-outs (idle, renewed by each request; absolute, however active)."""

from datetime import timedelta

import pytest
from django.urls import reverse

from plans import workflow
from progress import spf
from schoolplan.models import AuditEvent, EssaDesignation, Role

from ..clock import on
from ..factories import PASSWORD, member
from ..school_plan_helpers import complete_plan

pytestmark = pytest.mark.django_db


def test_sign_ins_failures_and_sign_outs_are_logged(client, school):
    user = member(Role.PRINCIPAL, school)
    client.post(reverse("login"), {"username": user.username, "password": "wrong"})
    client.post(reverse("login"), {"username": user.username, "password": PASSWORD})
    client.post(reverse("logout"))
    assert list(AuditEvent.objects.order_by("pk").values_list("action", "username")) == [
        ("login_failed", user.username),
        ("login", user.username),
        ("logout", user.username),
    ]
    assert AuditEvent.objects.filter(action="login").get().ip_address == "127.0.0.1"


@pytest.mark.calendar
def test_changes_to_submitted_and_published_records_are_logged(clock, school, school_year):
    clock.set(on(11, 1))  # in the SPF sharing window, before the ESSA plan's due date
    school.essa_designation = EssaDesignation.TARGETED
    school.save()
    principal = member(Role.PRINCIPAL, school)
    plan = complete_plan(school, school_year, principal)
    workflow.submit(plan, user=principal)
    summary = spf.save_texts(school, school_year, {"en": "First"}, user=principal)
    spf.publish(summary, user=principal)
    spf.save_texts(school, school_year, {"en": "Edited after publishing"}, user=principal)
    actions = list(AuditEvent.objects.order_by("pk").values_list("action", "subject"))
    assert actions == [
        ("essa-plan-submitted", f"essaplan:{plan.pk}"),
        ("spf-summary-published", f"spfsummary:{summary.pk}"),
        ("spf-summary-edited", f"spfsummary:{summary.pk}"),
    ]


def test_an_idle_session_expires(client, clock, school):
    user = member(Role.PRINCIPAL, school)
    client.post(reverse("login"), {"username": user.username, "password": PASSWORD})
    session = client.session
    session["last_seen"] = (clock.now() - timedelta(minutes=61)).timestamp()
    session.save()
    response = client.get(reverse("home"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_activity_keeps_a_session_alive(client, clock, school):
    user = member(Role.PRINCIPAL, school)
    client.post(reverse("login"), {"username": user.username, "password": PASSWORD})
    session = client.session
    session["last_seen"] = (clock.now() - timedelta(minutes=59)).timestamp()
    session.save()
    assert client.get(reverse("home")).status_code == 200
    assert client.session["last_seen"] > (clock.now() - timedelta(minutes=1)).timestamp()


def test_a_session_ends_at_the_absolute_limit_however_active(client, clock, school):
    user = member(Role.PRINCIPAL, school)
    client.post(reverse("login"), {"username": user.username, "password": PASSWORD})
    assert client.get(reverse("home")).status_code == 200
    session = client.session
    session["signed_in_at"] = (clock.now() - timedelta(hours=13)).timestamp()
    session.save()
    response = client.get(reverse("home"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_the_audit_log_cannot_be_edited_in_the_admin(admin_client):
    AuditEvent.objects.create(action="login", username="x")
    event = AuditEvent.objects.get(username="x")
    change = reverse("admin:schoolplan_auditevent_change", args=[event.pk])
    assert admin_client.post(change, {"action": "forged"}).status_code == 403
    event.refresh_from_db()
    assert event.action == "login"
