"""Families tell the school they are coming (issue 22, "RSVP without an account").

No account and no cookie: the form carries a signed stamp of when it was shown, which is also a
one-time nonce (a reloaded POST answers once). Abuse is kept out by a per-address rate limit, a
field only robots fill in, a minimum time to fill the form and a maximum party. Nothing a family
sends is shown to anyone else on the families' page; the school's staff see the list on the
meeting's page, everyone who sees the meeting sees the counts.

The private link (the token is shown once and e-mailed if the family gave an address; only its
SHA-256 is stored) lets the family change or withdraw the answer while the meeting is ahead.
Thirty days after the meeting, the names, contacts, links and the e-mails that carried them are
forgotten; the counts stay."""

import hashlib
import secrets
from dataclasses import dataclass, field
from datetime import timedelta

from celery import shared_task
from django.core import signing
from django.core.cache import cache
from django.db import transaction
from django.db.models import Count, Q, Sum
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _

from meetings.models import MeetingStatus
from schoolplan import clock
from schoolplan.mail import queue_email
from schoolplan.models import FAMILY_LANGUAGE_NAMES, OutboxEmail
from schoolplan.throttle import spend

from .family_content import localize
from .models import FamilyReply

REPLIES_PER_ADDRESS = 20  # an hour, from one client address (a shared family centre's Wi-Fi)
MIN_FILL_SECONDS = 3  # a person reads the form first; a robot posts at once
STAMP_MAX_SECONDS = 24 * 3600
STAMP_SALT = "progress.family-reply"


# The form's stamp: when it was shown, and a nonce so one form answers once.
def new_stamp():
    return signing.dumps(
        {"at": clock.now().timestamp(), "n": secrets.token_hex(8)}, salt=STAMP_SALT
    )


def check_stamp(stamp):
    """'ok', 'quick' (sent faster than a person reads), 'used' (sent already) or 'bad'."""
    try:
        payload = signing.loads(stamp or "", salt=STAMP_SALT, max_age=STAMP_MAX_SECONDS)
        shown_at, nonce = float(payload["at"]), str(payload["n"])
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        return "bad"
    if clock.now().timestamp() - shown_at < MIN_FILL_SECONDS:
        return "quick"
    if not cache.add(f"family-reply:stamp:{nonce}", 1, STAMP_MAX_SECONDS):
        return "used"
    return "ok"


def within_rate(address):
    return spend(f"family-reply:address:{address}", REPLIES_PER_ADDRESS)


def _hash(token):
    return hashlib.sha256(token.encode()).hexdigest()


def takes_replies(meeting):
    """Families may answer (or change an answer) while the meeting is planned and ahead."""
    return meeting.status == MeetingStatus.PLANNED and meeting.ends_at >= clock.now()


def find(token):
    """The reply a private link leads to, or None (unknown, or forgotten after the meeting)."""
    if not token:
        return None
    return (
        FamilyReply.objects.select_related("meeting__school__district")
        .filter(token_hash=_hash(token))
        .first()
    )


def _fill(reply, answer):
    for name in ("coming", "adults", "children", "interpretation", "childcare"):
        setattr(reply, name, answer[name])
    for name in ("name", "email", "phone"):
        setattr(reply, name, answer.get(name, ""))


def create(meeting, answer, language, change_url):
    """Keep a new answer; returns (reply, token). change_url(token) is the private link, which the
    e-mail carries when the family gave an address."""
    token = secrets.token_urlsafe(24)
    now = clock.now()
    reply = FamilyReply(
        meeting=meeting, language=language, token_hash=_hash(token), created_at=now, updated_at=now
    )
    _fill(reply, answer)
    with transaction.atomic():
        reply.save()
        _send_link(reply, change_url(token))
    return reply, token


def change(reply, answer, change_url, token):
    """Change an answer (a withdrawn one counts again); the link goes to a newly given address."""
    old_email = reply.email
    _fill(reply, answer)
    reply.withdrawn_at = None
    reply.updated_at = clock.now()
    with transaction.atomic():
        reply.save()
        if reply.email and reply.email != old_email:
            _send_link(reply, change_url(token))
    return reply


def withdraw(reply):
    reply.withdrawn_at = reply.updated_at = clock.now()
    reply.save(update_fields=["withdrawn_at", "updated_at"])


def _outbox_key(reply_pk):
    """The start of every outbox key of an answer's e-mails, so they are forgotten together."""
    return f"family-reply:{reply_pk}:"


def _send_link(reply, url):
    if not reply.email:
        return
    meeting = reply.meeting
    with translation.override(reply.language), clock.zone(meeting.school):
        context = {"reply": reply, "meeting": meeting, "school": meeting.school, "url": url}
        subject = _("Your answer to %(school)s: %(title)s") % {
            "school": meeting.school.name,
            "title": meeting.title,
        }
        body = render_to_string("family/email/reply.txt", context)
    key = f"{_outbox_key(reply.pk)}{reply.email}"
    queue_email(key, [reply.email], subject, body)


def forget_contacts(now=None):
    """Names, contacts and private links of answers to meetings that ended CONTACT_DAYS ago or
    more are forgotten, with the e-mails that carried the links; the numbers stay. Returns how
    many answers were touched."""
    now = now or clock.now()
    cutoff = now - timedelta(days=FamilyReply.CONTACT_DAYS)
    with transaction.atomic():
        due = list(
            FamilyReply.objects.select_for_update()
            .filter(meeting__ends_at__lt=cutoff, contact_forgotten_at__isnull=True)
            .values_list("pk", flat=True)
        )
        if not due:
            return 0
        FamilyReply.objects.filter(pk__in=due).update(
            name="", email="", phone="", token_hash=None, contact_forgotten_at=now
        )
        prefixes = Q()
        for pk in due:
            prefixes |= Q(key__startswith=_outbox_key(pk))
        OutboxEmail.objects.filter(prefixes).delete()
    return len(due)


# A family that gave an e-mail address and is coming hears again before the meeting: once, when
# it starts within this many hours (the hourly sweep finds it; the outbox key keeps it to one).
REMINDER_HOURS = 30


def remind_families(now=None):
    """Queue the reminder e-mail, in its language, to each coming family with an address whose
    meeting starts within REMINDER_HOURS. Returns how many were newly queued."""
    now = now or clock.now()
    due = FamilyReply.objects.filter(
        coming=True,
        withdrawn_at__isnull=True,
        contact_forgotten_at__isnull=True,
        meeting__status=MeetingStatus.PLANNED,
        meeting__starts_at__gt=now,
        meeting__starts_at__lte=now + timedelta(hours=REMINDER_HOURS),
    ).exclude(email="")
    queued = 0
    for reply in due.select_related("meeting__school__district"):
        meeting = reply.meeting
        localize([meeting], reply.language)
        with translation.override(reply.language), clock.zone(meeting.school):
            context = {"reply": reply, "meeting": meeting, "school": meeting.school}
            subject = _("Reminder: %(school)s, %(title)s") % {
                "school": meeting.school.name,
                "title": meeting.title,
            }
            body = render_to_string("family/email/reply_reminder.txt", context)
        queued += queue_email(f"{_outbox_key(reply.pk)}reminder", [reply.email], subject, body)
    return queued


@shared_task
def remind_coming_families():
    """Hourly in beat: remind_families."""
    return remind_families()


@shared_task
def forget_reply_contacts():
    """Daily in beat: forget_contacts."""
    return forget_contacts()


@dataclass
class LanguageNeed:
    code: str
    name: str
    families: int
    offered: bool


@dataclass
class ReplyCounts:
    """What the answers add up to, for the meeting's page (counts only: no names)."""

    answers: int = 0
    families_coming: int = 0
    families_not_coming: int = 0
    adults: int = 0
    children: int = 0
    childcare_families: int = 0
    childcare_children: int = 0
    languages: list = field(default_factory=list)

    @property
    def expected(self):
        return self.adults + self.children

    @property
    def unplanned_languages(self):
        """Languages families asked for that the meeting does not offer yet."""
        return [need for need in self.languages if not need.offered]


def counts_for(meeting):
    """The answers' counts (two queries, however many answers)."""
    current = FamilyReply.objects.filter(meeting=meeting, withdrawn_at__isnull=True)
    coming = Q(coming=True)
    # Aliases other than the fields' names: Django refuses an alias that shadows a summed field.
    totals = current.aggregate(
        n_answers=Count("pk"),
        n_coming=Count("pk", filter=coming),
        n_not_coming=Count("pk", filter=~coming),
        n_adults=Sum("adults", default=0),
        n_children=Sum("children", default=0),
        n_childcare=Count("pk", filter=coming & Q(childcare=True)),
        n_childcare_children=Sum("children", filter=coming & Q(childcare=True), default=0),
    )
    offered = set(meeting.languages_offered or [])
    by_language = (
        current.filter(coming=True)
        .exclude(interpretation="")
        .values("interpretation")
        .annotate(families=Count("pk"))
        .order_by("-families", "interpretation")
    )
    languages = [
        LanguageNeed(
            code=row["interpretation"],
            name=str(FAMILY_LANGUAGE_NAMES.get(row["interpretation"], row["interpretation"])),
            families=row["families"],
            offered=row["interpretation"] in offered,
        )
        for row in by_language
    ]
    return ReplyCounts(
        answers=totals["n_answers"],
        families_coming=totals["n_coming"],
        families_not_coming=totals["n_not_coming"],
        adults=totals["n_adults"],
        children=totals["n_children"],
        childcare_families=totals["n_childcare"],
        childcare_children=totals["n_childcare_children"],
        languages=languages,
    )
