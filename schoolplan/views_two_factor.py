"""The second sign-in step and the account page that turns it on and off (rules in
schoolplan.two_factor)."""

from django import forms
from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods, require_POST

from . import audit, two_factor


class CodeForm(forms.Form):
    code = forms.CharField(
        label="Code",
        max_length=20,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )


def _next_url(request, default=None):
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return reverse("home") if default is None else default


@two_factor.two_factor_exempt
@require_http_methods(["GET", "POST"])
def verify(request):
    if request.user.is_verified():
        return redirect(_next_url(request))
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device, wait = two_factor.verify(request, form.cleaned_data["code"])
        if device is not None:
            audit.record(request.user, "two_factor_verified", request=request)
            if device.name == two_factor.BACKUP_DEVICE_NAME:
                left = two_factor.remaining_backup_codes(request.user)
                messages.warning(
                    request,
                    f"You used a backup code; {left} left. Make new ones on your account page "
                    "if you are running out.",
                )
            return redirect(_next_url(request))
        audit.record(request.user, "two_factor_failed", request=request)
        if wait:
            form.add_error("code", f"Too many wrong codes. Wait {wait} seconds, then try again.")
        else:
            form.add_error(
                "code",
                "That code didn't match. Codes change every 30 seconds: type the one your app "
                "shows now, or one of your backup codes.",
            )
    return render(
        request,
        "registration/two_factor_verify.html",
        {"form": form, "next": _next_url(request, ""), "two_factor_step": True},
    )


@two_factor.two_factor_exempt
@require_http_methods(["GET", "POST"])
def setup(request):
    # Someone holding only the password must not enrol a new app over the real one.
    if request.session.get(two_factor.ENROLLED_SESSION_KEY) and not request.user.is_verified():
        return redirect("two_factor_verify")
    device = two_factor.pending_device(request)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        codes = two_factor.confirm(request, device, form.cleaned_data["code"])
        if codes is not None:
            audit.record(request.user, "two_factor_enabled", request=request)
            return render(
                request,
                "registration/two_factor_backup_codes.html",
                {"codes": codes, "next": _next_url(request)},
            )
        form.add_error(
            "code",
            "That code didn't match. Check that your phone's clock is right and type the code "
            "the app shows now.",
        )
    return render(
        request,
        "registration/two_factor_setup.html",
        {
            "form": form,
            "qr_code": two_factor.qr_code_svg(device),
            "secret": two_factor.secret_for_typing(device),
            "required": two_factor.is_required(request.user),
            "next": _next_url(request, ""),
            "two_factor_step": not request.user.is_verified(),
        },
    )


@require_http_methods(["GET"])
def account(request):
    return _account_page(request, CodeForm())


def _account_page(request, form):
    user = request.user
    return render(
        request,
        "registration/two_factor_account.html",
        {
            "enrolled": two_factor.is_enrolled(user),
            "required": two_factor.is_required(user),
            "backup_codes_left": two_factor.remaining_backup_codes(user),
            "form": form,
        },
    )


@require_POST
def backup_codes(request):
    if not two_factor.is_enrolled(request.user):
        return redirect("two_factor_account")
    codes = two_factor.new_backup_codes(request.user)
    audit.record(request.user, "two_factor_backup_codes", request=request)
    return render(
        request,
        "registration/two_factor_backup_codes.html",
        {"codes": codes, "next": reverse("home")},
    )


@require_POST
def turn_off(request):
    user = request.user
    if two_factor.is_required(user):
        messages.error(request, "Your role can read pupil notes, so two-factor sign-in stays on.")
        return redirect("two_factor_account")
    form = CodeForm(request.POST)
    # A current code, so that an unattended signed-in browser cannot turn it off.
    device, wait = (None, 0)
    if form.is_valid():
        device, wait = two_factor.verify(request, form.cleaned_data["code"])
    if device is None:
        if form.is_valid():  # else the form already says what is wrong with the code
            form.add_error(
                "code",
                f"Too many wrong codes. Wait {wait} seconds."
                if wait
                else "That code didn't match; two-factor sign-in is still on.",
            )
        return _account_page(request, form)
    two_factor.turn_off(request)
    audit.record(user, "two_factor_disabled", request=request)
    messages.success(request, "Two-factor sign-in is off.")
    return redirect("two_factor_account")
