"""A principal's first sign-in: password, then setting up an authenticator app (the key read off
the page stands in for the phone), backup codes, then the school; next time, the code step."""

import time
from base64 import b32decode

import pytest
from django_otp.oath import TOTP
from playwright.sync_api import expect

from schoolplan.models import Role
from tests.factories import SchoolFactory, UserFactory, member

from .conftest import log_in
from .test_accessibility import AXE, Audit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "a-long-test-password-9"


def code_from_key(typed_key, steps_ahead=0):
    key = typed_key.replace(" ", "")
    key += "=" * (-len(key) % 8)
    totp = TOTP(b32decode(key))
    totp.time = totp.time + 30 * steps_ahead
    return f"{totp.token():06d}"


def test_principal_sets_up_two_factor_sign_in_and_uses_it(page, phone, settings, screenshot):
    settings.TWO_FACTOR_REQUIRED = True
    school = SchoolFactory(name="Valdez Elementary")
    principal = UserFactory(username="ana", first_name="Ana", last_name="Valdez")
    principal.set_password(PASSWORD)
    principal.save()
    member(Role.PRINCIPAL, school, user=principal)

    # axe on each step too: no link leads to them, so the site-wide crawl never sees them.
    audit = Audit(AXE.read_text()) if AXE.exists() else None

    def check(where, on=page):
        if audit is not None:
            audit.check(on, where, where)

    log_in(page, "ana", PASSWORD)
    expect(page.get_by_role("heading", name="Set up two-factor sign-in")).to_be_visible()
    check("two_factor_setup")
    expect(page.get_by_role("img", name="QR code for adding SchoolPlan")).to_be_visible()
    expect(page.get_by_text("Your role can read pupil notes")).to_be_visible()
    screenshot(page, "85-two-factor-setup")

    page.get_by_role("textbox", name="Code").fill("000000")
    page.get_by_role("button", name="Turn on two-factor sign-in").click()
    expect(page.get_by_text("That code didn't match")).to_be_visible()
    screenshot(page, "86-two-factor-wrong-code")
    check("two_factor_setup (wrong code)")

    key = page.locator("#two-factor-key").inner_text()
    setup_step = int(time.time()) // 30
    page.get_by_role("textbox", name="Code").fill(code_from_key(key))
    page.get_by_role("button", name="Turn on two-factor sign-in").click()
    expect(page.get_by_role("heading", name="Your backup codes")).to_be_visible()
    expect(page.get_by_role("list", name="Backup codes").get_by_role("listitem")).to_have_count(10)
    screenshot(page, "87-two-factor-backup-codes")
    check("two_factor_backup_codes")
    page.get_by_role("link", name="I have kept them, continue").click()
    expect(page.get_by_role("heading", name="What needs your attention")).to_be_visible()

    # Next sign-in, on a phone: the code step, with only "Log out" in the bar.
    log_in(phone, "ana", PASSWORD)
    expect(phone.get_by_role("heading", name="Second step: your code")).to_be_visible()
    expect(phone.get_by_role("button", name="Log out")).to_be_visible()
    screenshot(phone, "88-two-factor-code-step-phone")
    check("two_factor_verify (phone)", phone)
    phone.get_by_role("textbox", name="Code").fill("000000")
    phone.get_by_role("button", name="Continue").click()
    expect(phone.get_by_text("That code didn't match")).to_be_visible()
    check("two_factor_verify (wrong code)", phone)
    # Wrong codes lock the app for a second or two (django-otp's throttle).
    phone.wait_for_timeout(2500)
    # A code is accepted once: if the 30-second step of the set-up code has not passed yet, the
    # app's next code (accepted one step early) stands in for waiting.
    ahead = 1 if int(time.time()) // 30 <= setup_step else 0
    phone.get_by_role("textbox", name="Code").fill(code_from_key(key, steps_ahead=ahead))
    phone.get_by_role("button", name="Continue").click()
    expect(phone.get_by_role("heading", name="What needs your attention")).to_be_visible()
    phone.goto("/account/two-factor/")
    expect(phone.get_by_text("cannot be turned off")).to_be_visible()
    check("two_factor_account (on)", phone)
    if audit is not None:
        assert not audit.violations, "axe violations:\n" + audit.report()
