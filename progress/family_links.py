"""Where a community meeting stands on its school's families' page (issue 22, "invite
families"): a section of the meeting's page (meetings.page_sections) with the page's address in
each of its languages, ready to share. Families see upcoming planned meetings there."""

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse

from meetings.models import MeetingStatus
from schoolplan import clock

from .family import FAMILY_LANGUAGES

LANGUAGE_LABELS = {"en": "English", "es": "Español"}


def family_page_links(meeting):
    """[(language label, address of the meeting on the families' page)], one per language."""
    slug = meeting.school.public_slug
    links = []
    for language in FAMILY_LANGUAGES:
        if language == "en":
            path = reverse("family_school", args=[slug])
        else:
            path = reverse("family_school_in", args=[slug, language])
        links.append(
            (
                LANGUAGE_LABELS[language],
                f"{settings.SITE_URL.rstrip('/')}{path}#meeting-{meeting.pk}",
            )
        )
    return links


def families_page_section(request, meeting):
    if meeting.school_id is None or not meeting.is_for_families:
        return ""
    shown = meeting.status == MeetingStatus.PLANNED and meeting.ends_at >= clock.now()
    return render_to_string(
        "progress/_meeting_on_family_page.html",
        {"meeting": meeting, "shown": shown, "links": family_page_links(meeting)},
        request=request,
    )
