"""Password reset, throttled and sent through the outbox.

- Per address: RESET_PER_ADDRESS requests an hour from one client address (behind our proxies,
  schoolplan.edge); more is a 429 with the typed address kept and the reason beside it.
- Per account: RESET_PER_ACCOUNT e-mails an hour to one account, however many addresses ask;
  beyond that nothing is sent and the page says what it always says (nobody learns whether an
  address has an account, and nobody's mailbox is flooded).
- The e-mail goes through the outbox (schoolplan.mail): the request never waits for the mail
  server, a failed send is retried, and its links start with SITE_URL.
"""

import uuid
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.forms import PasswordResetForm
from django.template import loader
from django.utils.decorators import method_decorator

from .mail import queue_email
from .throttle import spend

RESET_PER_ADDRESS = 5
RESET_PER_ACCOUNT = 3
WINDOW_SECONDS = 3600


class ThrottledPasswordResetForm(PasswordResetForm):
    def get_users(self, email):
        for user in super().get_users(email):
            if spend(f"password-reset:account:{user.pk}", RESET_PER_ACCOUNT, WINDOW_SECONDS):
                yield user

    def send_mail(
        self,
        subject_template_name,
        email_template_name,
        context,
        from_email,
        to_email,
        html_email_template_name=None,
    ):
        subject = "".join(loader.render_to_string(subject_template_name, context).splitlines())
        body = loader.render_to_string(email_template_name, context)
        queue_email(f"password-reset:{uuid.uuid4().hex}", [to_email], subject, body)


@method_decorator(login_not_required, name="dispatch")
class PasswordResetView(auth_views.PasswordResetView):
    form_class = ThrottledPasswordResetForm

    def form_valid(self, form):
        address = self.request.META.get("REMOTE_ADDR", "")
        if not spend(f"password-reset:address:{address}", RESET_PER_ADDRESS, WINDOW_SECONDS):
            form.add_error(
                None,
                "Too many password resets were asked for from your network in the last hour. "
                "Try again in an hour, or ask your district's SchoolPlan administrator.",
            )
            response = self.form_invalid(form)
            response.status_code = 429
            return response
        # The links lead to SITE_URL, not to whatever Host the request carried.
        site = urlsplit(settings.SITE_URL)
        self.extra_email_context = {"protocol": site.scheme, "domain": site.netloc}
        self.domain_override = site.netloc
        return super().form_valid(form)
