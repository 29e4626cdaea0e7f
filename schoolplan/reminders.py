"""Reminders: the sweep records what is due, the dispatcher turns it into e-mails or digests.

Postgres is the source of truth; Redis only rings the doorbell. The hourly sweep (Celery beat)
reads each district's deadlines on its own calendar (DOMAIN.md, Time) and records each due
reminder first (a row, unique per rule, subject, recipient and occasion), then hands it to the
outbox (a row, unique per reminder) whose sender claims and sends each e-mail once
(schoolplan.mail). Nothing is scheduled as a long countdown; tasks are queued after commit.
Running the sweep twice, or two at once, inserts nothing new the second time. The digests go
out hourly too: to each person when it is REMINDER_DIGEST_HOUR (07:00) in their district.
"""

from collections import defaultdict

from celery import shared_task
from django.conf import settings
from django.db import transaction
from django.db.models import CharField, Value
from django.db.models.functions import Cast, Concat
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from . import clock
from .deadlines import Scope, collect, collect_local, sweep_batches
from .mail import send_queued_emails
from .models import NotificationSettings, OutboxEmail, Reminder, ReminderChannel
from .permissions import time_zones_of
from .phrases import Phrase
from .text import fit


def settings_for(user_ids):
    """Each user's notification settings (created with defaults where missing): 2 queries."""
    found = {s.user_id: s for s in NotificationSettings.objects.filter(user_id__in=user_ids)}
    missing = [NotificationSettings(user_id=uid) for uid in user_ids if uid not in found]
    if missing:
        NotificationSettings.objects.bulk_create(missing, ignore_conflicts=True)
        found.update(
            {
                s.user_id: s
                for s in NotificationSettings.objects.filter(
                    user_id__in=[m.user_id for m in missing]
                )
            }
        )
    return found


def record(today=None):
    """Record every reminder due today, each district's today (or the given day everywhere);
    returns how many were new. Batch by batch of districts (deadlines.sweep_batches), each in
    its own transaction with a fixed number of queries, whatever the number of schools (the
    rules read in bulk)."""
    return sum(record_batch(batch, today) for batch in sweep_batches())


@transaction.atomic
def record_batch(district_ids, today=None):
    """Record the reminders due in these districts (None: every district); how many were new."""
    if district_ids is None:
        found = collect(today, emails=True) if today else collect_local(emails=True)
    elif today:
        found = collect(today, Scope(district_ids=frozenset(district_ids)), emails=True)
    else:
        found = collect_local(emails=True, district_ids=district_ids)
    rows = [
        Reminder(
            rule=d.rule,
            category=d.category,
            subject=d.subject,
            recipient_id=user_id,
            occasion=d.occasion,
            title=fit(Reminder, "title", d.title),
            phrase=d.title.as_json() if isinstance(d.title, Phrase) else None,
            link=d.link[:300],  # our own URL, never near the limit
            due_on=d.due_on,
        )
        for d in found
        if d.occasion
        for user_id in set(d.recipients)
    ]
    # New rows are those past the highest id before the insert (ON CONFLICT DO NOTHING says
    # nothing of which it kept): two index lookups, not a count of every reminder ever made.
    newest = Reminder.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    Reminder.objects.bulk_create(rows, ignore_conflicts=True, batch_size=1000)
    return Reminder.objects.filter(pk__gt=newest).count()


def _preferences_url(preferences):
    return settings.SITE_URL + reverse("notification_settings_token", args=[preferences.token])


def _email_for(reminder, preferences):
    with translation.override(preferences.language):
        context = {
            "reminders": [reminder],
            "user": reminder.recipient,
            "site": settings.SITE_URL,
            "preferences_url": _preferences_url(preferences),
        }
        return {
            "subject": reminder.text,  # queue_email fits it to the outbox's column
            "body": render_to_string("email/reminders.txt", context),
            "html_body": render_to_string("email/reminders.html", context),
        }


# Reminders dispatched a transaction (issue 24: 10,000 schools' e-mails at once): memory and
# locks stay bounded and the time grows with the reminders, not faster.
DISPATCH_BATCH = 1000


def dispatch():
    """Decide, for each recorded reminder not yet dispatched: e-mail it now, keep it for the
    digest, or not send it (its category is turned off). In bulk, DISPATCH_BATCH reminders a
    transaction: fixed queries a batch plus the rendering of each e-mail."""
    total = 0
    while True:
        done = _dispatch_batch()
        total += done
        if done < DISPATCH_BATCH:
            return total


@transaction.atomic
def _dispatch_batch():
    pending = list(
        Reminder.objects.select_for_update(skip_locked=True)
        .filter(channel=ReminderChannel.PENDING)
        .select_related("recipient")
        .order_by("pk")[:DISPATCH_BATCH]
    )
    if not pending:
        return 0
    preferences = settings_for({r.recipient_id for r in pending})
    emails, by_channel = [], defaultdict(list)
    for reminder in pending:
        chosen = preferences[reminder.recipient_id]
        if not reminder.recipient.email or reminder.category in chosen.muted:
            by_channel[ReminderChannel.MUTED].append(reminder.pk)
        elif chosen.digest:
            by_channel[ReminderChannel.DIGEST].append(reminder.pk)
        else:
            by_channel[ReminderChannel.EMAIL].append(reminder.pk)
            emails.append(
                OutboxEmail(
                    key=f"reminder:{reminder.pk}",
                    to=[reminder.recipient.email],
                    **_email_for(reminder, chosen),
                )
            )
    OutboxEmail.objects.bulk_create(emails, ignore_conflicts=True)
    for channel, ids in by_channel.items():
        update = {"channel": channel}
        if channel == ReminderChannel.EMAIL:
            update["email_key"] = Concat(Value("reminder:"), Cast("pk", CharField()))
        Reminder.objects.filter(pk__in=ids, channel=ReminderChannel.PENDING).update(**update)
    if emails:
        _ring_the_doorbell()
    return len(pending)


def _ring_the_doorbell():
    transaction.on_commit(send_queued_emails.delay)


def sweep(today=None):
    """The beat's hourly job: record what is due, then dispatch it."""
    created = record(today)
    dispatched = dispatch()
    return created, dispatched


def digest_day(zone, now=None):
    """The local day whose digest is due in zone now: REMINDER_DIGEST_HOUR (07:00) there, else
    None. The beat asks every hour, so each zone has its one hour a day."""
    local = clock.local(now or clock.now(), zone)
    return local.date() if local.hour == settings.REMINDER_DIGEST_HOUR else None


@transaction.atomic
def send_digests(today=None):
    """One e-mail per person with the reminders kept for their digest, when it is the digest
    hour in their district (their pages' zone), at most one a local day: reminders recorded
    after it wait for the next morning's. With `today` (by hand): every waiting digest now,
    dated that day. A fixed number of queries plus the rendering of each e-mail."""
    waiting = list(
        Reminder.objects.select_for_update(skip_locked=True)
        .filter(channel=ReminderChannel.DIGEST, email_key="")
        .select_related("recipient")
        .order_by("due_on", "pk")
    )
    by_user = defaultdict(list)
    for reminder in waiting:
        by_user[reminder.recipient_id].append(reminder)
    zones = time_zones_of(set(by_user))
    now, due = clock.now(), {}
    for user_id in by_user:
        zone = zones.get(user_id, settings.TIME_ZONE)
        day = today or digest_day(zone, now)
        if day is not None:
            due[user_id] = (zone, day, f"digest:{user_id}:{day.isoformat()}")
    sent_before = set(
        OutboxEmail.objects.filter(key__in=[key for _, _, key in due.values()]).values_list(
            "key", flat=True
        )
    )
    due = {user_id: found for user_id, found in due.items() if found[2] not in sent_before}
    preferences = settings_for(set(due))
    emails = []
    for user_id, (zone, day, key) in due.items():
        reminders, chosen = by_user[user_id], preferences[user_id]
        with translation.override(chosen.language), clock.zone(zone):
            context = {
                "reminders": reminders,
                "user": reminders[0].recipient,
                "site": settings.SITE_URL,
                "preferences_url": _preferences_url(chosen),
                "digest": True,
            }
            emails.append(
                OutboxEmail(
                    key=key,
                    to=[reminders[0].recipient.email],
                    subject=translation.gettext("Your SchoolPlan reminders for %(day)s")
                    % {"day": day.strftime("%d %b %Y")},
                    body=render_to_string("email/reminders.txt", context),
                    html_body=render_to_string("email/reminders.html", context),
                )
            )
    OutboxEmail.objects.bulk_create(emails, ignore_conflicts=True)
    for user_id, (_zone, _day, key) in due.items():
        Reminder.objects.filter(pk__in=[r.pk for r in by_user[user_id]]).update(email_key=key)
    if emails:
        _ring_the_doorbell()
    return len(emails)


@shared_task(name="schoolplan.tasks.sweep_reminders")
def sweep_reminders():
    """Hourly (beat): record the reminders due and hand them to the outbox."""
    return sweep()


@shared_task(name="schoolplan.tasks.send_reminder_digests")
def send_reminder_digests():
    """Hourly (beat): the digests of the people for whom it is now the digest hour (07:00) in
    their district; one e-mail a day per person who chose the digest."""
    return send_digests()
