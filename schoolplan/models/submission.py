from django.conf import settings
from django.db import models


class FormSubmission(models.Model):
    """One sending of a form that creates something (schoolplan.submissions): its token is in
    the form, so the same form sent twice (a double click, a retry, two tabs) creates once."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    token = models.CharField(max_length=64)
    result_url = models.CharField(max_length=300, blank=True)  # where the first sending led
    created_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "token"], name="one_submission_a_token")
        ]

    def __str__(self):
        return f"Form submission {self.token} by {self.user_id}"
