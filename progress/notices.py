"""E-mails the CIM work sends beside the meeting engine's (meetings/notices.py): a comment on
the plan or on a review tells the year's CIM lead, once (the outbox key)."""

from django.urls import reverse

from meetings.notices import absolute
from schoolplan.mail import queue_email
from schoolplan.models import CimTeam, ReminderCategory
from schoolplan.reminders import settings_for


def notify_lead_of_comment(comment):
    """seed 001: a TA provider reads and comments; the lead hears of it. Not the lead's own
    comment, and not if the lead turned CIM e-mails off (their notification settings)."""
    plan = comment.plan
    team = (
        CimTeam.objects.filter(district_id=plan.district_id, school_year_id=plan.school_year_id)
        .select_related("lead")
        .first()
    )
    lead = team.lead if team is not None else None
    if lead is None or lead.pk == comment.author_id or not lead.is_active or not lead.email:
        return False
    preferences = settings_for([lead.pk])[lead.pk]
    if ReminderCategory.CIM in preferences.muted:
        return False
    review = comment.review
    if review is not None:
        about, link = f"the review “{review.title}”", reverse("review_record", args=[review.pk])
    else:
        about, link = f"the Plan for Improvement {plan.school_year.name}", plan.get_absolute_url()
    author = comment.author.display_name if comment.author else "Someone"
    body = "\n".join(
        [
            f"Hello {lead.display_name},",
            "",
            f"{author} commented on {about} ({plan.district}):",
            "",
            comment.text,
            "",
            f"Read it and reply: {absolute(link)}#comments",
            "",
            "Choose which e-mails you get:",
            absolute(reverse("notification_settings_token", args=[preferences.token])),
        ]
    )
    return queue_email(
        key=f"cim-comment:{comment.pk}",
        to=[lead.email],
        subject=f"{author} commented on {about}",
        body=body,
    )
