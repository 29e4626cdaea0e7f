"""Invitations for the accounts a roster import creates (issue 21): an e-mail through the outbox
with a link to choose a password. The link works once (choosing a password changes what it
was signed over) and expires after INVITATION_DAYS (default 14)."""

from urllib.parse import urlsplit

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.core import signing
from django.template import loader
from django.urls import reverse, reverse_lazy
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.decorators import method_decorator
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from . import clock, sso
from .mail import queue_many

SALT = "schoolplan.invitations"


def invitation_days():
    return settings.INVITATION_DAYS


class InvitationTokens:
    """The token generator interface Django's PasswordResetConfirmView asks for. The token signs
    the account's state (its password hash and last sign-in: choosing a password spends it) and
    the moment it was made, read from the one clock."""

    def _state(self, user):
        login = "" if user.last_login is None else user.last_login.replace(microsecond=0)
        return salted_hmac(SALT, f"{user.pk}|{user.password}|{login}").hexdigest()[:32]

    def make_token(self, user):
        issued = int(clock.now().timestamp())
        return signing.Signer(salt=SALT).sign(f"{self._state(user)}-{issued}")

    def check_token(self, user, token):
        if user is None or not token:
            return False
        try:
            state, _, issued = signing.Signer(salt=SALT).unsign(token).partition("-")
            age = clock.now().timestamp() - int(issued)
        except (signing.BadSignature, ValueError):  # tampered with
            return False
        if age > invitation_days() * 86400:
            return False
        return constant_time_compare(state, self._state(user))


tokens = InvitationTokens()


def invitation_link(user):
    path = reverse(
        "invitation",
        kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
            "token": tokens.make_token(user),
        },
    )
    return settings.SITE_URL.rstrip("/") + path


def invite(users, district):
    """Queue one invitation per new account (a second call for the same account sends none)."""
    site = urlsplit(settings.SITE_URL).netloc
    emails = []
    for user in users:
        context = {
            "user": user,
            "district": district,
            "link": invitation_link(user),
            "days": invitation_days(),
            "site": site,
            "sso": sso.provider_name() if sso.enabled() else "",
        }
        emails.append(
            {
                "key": f"invitation:{user.pk}",
                "to": [user.email],
                "subject": f"Your SchoolPlan account at {district}",
                "body": loader.render_to_string("registration/invitation_email.txt", context),
            }
        )
    return queue_many(emails)


@method_decorator(login_not_required, name="dispatch")
class InvitationView(auth_views.PasswordResetConfirmView):
    """The invitation's link: choose a password, then sign in."""

    token_generator = tokens
    template_name = "registration/invitation_confirm.html"
    success_url = reverse_lazy("login")

    def form_valid(self, form):
        response = super().form_valid(form)
        messages.success(self.request, "Your password is set. Sign in with it now.")
        return response
