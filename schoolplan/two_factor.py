"""Two-factor sign-in (TOTP, through django-otp): open to every account, required of the people
who can read pupil notes (seed 003: student records), and of site administrators.

After the password, a person with an authenticator app enrolled is asked for its six-digit code
(or one of their single-use backup codes) before any page; a person whose role requires it and
who has none yet is sent to enrol one first. Until then no page of the site answers them.
"""

from django.conf import settings
from django.contrib.auth.signals import user_logged_in
from django.db import transaction
from django.dispatch import receiver
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode
from django_htmx.http import HttpResponseClientRedirect
from django_otp import DEVICE_ID_SESSION_KEY, devices_for_user
from django_otp import login as otp_login
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice, default_key

from .permissions import CLASS_TEAM, scope_for

BACKUP_CODE_COUNT = 10
# Whether the person has a confirmed device, kept in the session from sign-in so that ordinary
# requests cost no query; the enrolment pages update it.
ENROLLED_SESSION_KEY = "two_factor_enrolled"
PROVIDER_MFA_SESSION_KEY = "two_factor_by_provider"  # set by schoolplan.sso at sign-in
# Roles that read pupil notes: the class team's roles (permissions.CLASS_TEAM), whatever they are.
PUPIL_NOTE_ROLES = CLASS_TEAM.school_roles | CLASS_TEAM.team_roles


def is_required(user):
    """Whether this person may not use the site without a second factor."""
    if not settings.TWO_FACTOR_REQUIRED:
        return False
    scope = scope_for(user)
    return scope.is_superuser or bool(scope.roles & PUPIL_NOTE_ROLES)


def is_enrolled(user):
    return any(True for _ in devices_for_user(user, confirmed=True))


@receiver(user_logged_in)
def _remember_enrolment(sender, request, user, **kwargs):
    if request is not None and hasattr(request, "session"):
        request.session[ENROLLED_SESSION_KEY] = is_enrolled(user)


def two_factor_exempt(view):
    """For the pages a signed-in person needs before the second step: enrol, verify."""
    view.two_factor_exempt = True
    return view


class TwoFactorMiddleware:
    """Stops a password-only session at the second step. After django_otp's OTPMiddleware and
    the login-required middleware; public pages (login_not_required) stay public."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or user.is_verified():
            return None
        if not getattr(view_func, "login_required", True):
            return None
        if getattr(view_func, "two_factor_exempt", False):
            return None
        if request.resolver_match and request.resolver_match.url_name == "logout":
            return None
        # The district's provider did the second step (schoolplan.sso.second_step_done).
        if request.session.get(PROVIDER_MFA_SESSION_KEY):
            return None
        enrolled = request.session.get(ENROLLED_SESSION_KEY)
        if enrolled is None:
            enrolled = request.session[ENROLLED_SESSION_KEY] = is_enrolled(user)
        if enrolled:
            step = "two_factor_verify"
        elif is_required(user):
            step = "two_factor_setup"
        else:
            return None
        url = f"{reverse(step)}?{urlencode({'next': request.get_full_path()})}"
        if getattr(request, "htmx", False):
            return HttpResponseClientRedirect(url)
        return redirect(url)


# Enrolment ------------------------------------------------------------------------------


PENDING_KEY_SESSION_KEY = "two_factor_pending_key"
APP_DEVICE_NAME = "Authenticator app"
BACKUP_DEVICE_NAME = "Backup codes"


def app_code(token, digits=6):
    """The code as an authenticator app shows it (spaces allowed), or None. ASCII digits only:
    "²" passes str.isdigit() and then fails int()."""
    token = "".join(str(token).split())
    if token.isascii() and token.isdigit() and len(token) == digits:
        return token
    return None


def pending_device(request):
    """The authenticator being set up, unsaved: its key waits in the session (so a reload shows
    the same QR code and a GET writes nothing) until a code from the app confirms it."""
    key = request.session.get(PENDING_KEY_SESSION_KEY)
    if not key:
        key = request.session[PENDING_KEY_SESSION_KEY] = default_key()
    return TOTPDevice(user=request.user, name=APP_DEVICE_NAME, key=key, confirmed=False)


def qr_code_svg(device):
    """The device's otpauth:// address as an inline SVG QR code."""
    from .qr import qr_svg

    return qr_svg(device.config_url)


def secret_for_typing(device):
    """The key in base32, in groups of four, for apps that cannot scan."""
    from base64 import b32encode

    key = b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(key[i : i + 4] for i in range(0, len(key), 4))


@transaction.atomic
def confirm(request, device, token):
    """Confirm a pending authenticator with a code from it. Returns the new backup codes, or
    None if the code was wrong. The new app replaces any earlier one."""
    token = app_code(token, device.digits)
    if token is None:
        return None
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    if not totp.verify(int(token), device.tolerance):
        return None
    user = request.user
    TOTPDevice.objects.filter(user=user).delete()
    device.confirmed = True
    device.last_t = totp.t()  # the code just used cannot be used again
    device.save()
    request.session.pop(PENDING_KEY_SESSION_KEY, None)
    codes = new_backup_codes(user)
    otp_login(request, device)
    request.session[ENROLLED_SESSION_KEY] = True
    return codes


@transaction.atomic
def new_backup_codes(user, count=BACKUP_CODE_COUNT):
    """Replace the person's backup codes with `count` new single-use ones."""
    device, _ = StaticDevice.objects.get_or_create(
        user=user, name=BACKUP_DEVICE_NAME, defaults={"confirmed": True}
    )
    device.token_set.all().delete()
    codes = [StaticToken.random_token() for _ in range(count)]
    StaticToken.objects.bulk_create([StaticToken(device=device, token=c) for c in codes])
    return codes


@transaction.atomic
def enrol_for_demo(user, count):
    """The demo's accounts: an authenticator nobody holds, and `count` fresh backup codes."""
    if not TOTPDevice.objects.filter(user=user, confirmed=True).exists():
        TOTPDevice.objects.create(user=user, name=APP_DEVICE_NAME, confirmed=True)
    return new_backup_codes(user, count)


def remaining_backup_codes(user):
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


@transaction.atomic
def turn_off(request):
    user = request.user
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()
    request.session[ENROLLED_SESSION_KEY] = False
    request.session.pop(DEVICE_ID_SESSION_KEY, None)


# Verification ---------------------------------------------------------------------------


def verify(request, token):
    """Check a code against the person's devices: a six-digit code against the authenticator,
    anything else against the backup codes. Returns (device or None, seconds to wait or 0)."""
    code = app_code(token)
    kind, token = (TOTPDevice, code) if code else (StaticDevice, "".join(token.split()).lower())
    with transaction.atomic():
        devices = list(
            kind.objects.devices_for_user(request.user, confirmed=True).select_for_update()
        )
        for device in devices:
            allowed, details = device.verify_is_allowed()
            if not allowed:
                return None, _seconds_until((details or {}).get("locked_until"))
            if device.verify_token(token):
                otp_login(request, device)
                return device, 0
    return None, 0


def _seconds_until(moment):
    from . import clock

    if moment is None:
        return 1
    return max(1, int((moment - clock.now()).total_seconds()) + 1)
