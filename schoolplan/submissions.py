"""A form that creates something creates it once, however often it is sent (issue 23): the
form carries a token made when it was shown; the first sending claims it in the same
transaction as what it creates, and a second sending (a double click, a retry, another tab, or
the same request twice at once: the unique index makes the second wait for the first) is sent
to what the first created. A refused sending rolls its claim back with everything else, so the
corrected form can be sent again."""

import secrets

from django.db import IntegrityError, transaction

from . import clock
from .models import FormSubmission


def new_token():
    return secrets.token_hex(16)


class AlreadySent(Exception):
    """This form was sent before: url is where its first sending led."""

    def __init__(self, url):
        super().__init__(url)
        self.url = url


def claim(user, token):
    """Inside the transaction that creates the thing: the claim to fill with its address, or
    AlreadySent. No token (a form from before tokens): nothing to claim."""
    if not token:
        return None
    try:
        with transaction.atomic():
            return FormSubmission.objects.create(
                user=user, token=token[:64], created_at=clock.now()
            )
    except IntegrityError:
        first = FormSubmission.objects.get(user=user, token=token[:64])
        raise AlreadySent(first.result_url) from None


def fulfil(submission, url):
    if submission is not None:
        submission.result_url = url
        submission.save(update_fields=["result_url"])
