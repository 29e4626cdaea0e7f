"""The password sign-in page: Django's, with the roster's rule that an account whose roles have
all ended signs in no more (User.roles_ended; schoolplan.sso applies the same rule)."""

from django import forms
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import AuthenticationForm

ROLES_ENDED = (
    "Your roles in SchoolPlan have ended, so this account can no longer sign in. Ask your "
    "district's SchoolPlan administrator if this is a mistake."
)


class SignInForm(AuthenticationForm):
    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": "Your username and password didn’t match. Please try again.",
    }

    def confirm_login_allowed(self, user):
        super().confirm_login_allowed(user)
        if user.roles_ended:
            raise forms.ValidationError(ROLES_ENDED, code="roles_ended")


class SignInView(auth_views.LoginView):
    authentication_form = SignInForm
