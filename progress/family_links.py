"""Where a community meeting stands on its school's families' page (issue 22, "invite
families"): a section of the meeting's page (meetings.page_sections) with the page's address in
each of its languages and a short text in each, ready to paste into the school's messenger.
Families see upcoming planned meetings there."""

import copy

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.formats import time_format
from django.utils.translation import gettext as _

from meetings.models import MeetingStatus
from schoolplan import clock
from schoolplan.models import FAMILY_LANGUAGE_NAMES
from schoolplan.templatetags.schoolplan_tags import long_date, spoken_list

from .family import FAMILY_LANGUAGES, family_url
from .family_content import localize

# Each language named in itself, as settings.LANGUAGES names it.
LANGUAGE_LABELS = dict(settings.LANGUAGES)


def messenger_text(meeting, language, url):
    """A few lines about the meeting in language, for the school's messenger or a newsletter."""
    meeting = copy.copy(meeting)  # its words in language, not the page's meeting's
    localize([meeting], language)
    starts = clock.local(meeting.starts_at, meeting.district)
    with translation.override(language):
        lines = [
            _("%(school)s invites families to: %(title)s.")
            % {"school": meeting.school.name, "title": meeting.title},
            _("When: %(when)s, %(time)s")
            % {"when": long_date(starts.date()), "time": time_format(starts, "TIME_FORMAT")},
        ]
        if meeting.place:
            lines.append(_("Where: %(place)s.") % {"place": meeting.place})
        if meeting.languages_offered:
            languages = spoken_list(meeting.language_names)
            lines.append(_("Interpretation: %(languages)s") % {"languages": languages} + ".")
        lines.append(
            _("Tell us if you are coming: %(url)s") % {"url": reply_url(meeting, language)}
        )
        lines.append(_("Details and calendar: %(url)s") % {"url": url})
    return "\n".join(lines)


def family_page_url(meeting, language):
    """The meeting's address on its school's families' page in language, from SITE_URL."""
    path = family_url("family_school", language, meeting.school.public_slug)
    return f"{settings.SITE_URL.rstrip('/')}{path}#meeting-{meeting.pk}"


def reply_url(meeting, language):
    """The address where families answer the meeting in language, from SITE_URL."""
    path = family_url("family_reply", language, meeting.school.public_slug, meeting.pk)
    return f"{settings.SITE_URL.rstrip('/')}{path}"


def on_family_page(meeting):
    """Whether families see the meeting now: their page lists upcoming planned ones."""
    return (
        meeting.is_for_families
        and meeting.status == MeetingStatus.PLANNED
        and meeting.ends_at >= clock.now()
    )


def family_page_links(meeting):
    """[(language, its label, the meeting's address on the families' page, a messenger text)],
    one per language of the families' pages."""
    links = []
    for language in FAMILY_LANGUAGES:
        url = family_page_url(meeting, language)
        text = messenger_text(meeting, language, url)
        links.append((language, LANGUAGE_LABELS[language], url, text))
    return links


def families_page_section(request, meeting):
    if meeting.school_id is None or not meeting.is_for_families:
        return ""
    shown = on_family_page(meeting)
    return render_to_string(
        "progress/_meeting_on_family_page.html",
        {"meeting": meeting, "shown": shown, "links": family_page_links(meeting)},
        request=request,
    )


def family_replies_section(request, meeting):
    """What the families answered: counts for everyone who sees the meeting, the list (names and
    contacts) for the school's staff only. Contacts are gone 30 days after the meeting."""
    if meeting.school_id is None or not meeting.is_for_families:
        return ""
    from schoolplan.permissions import SEE_FAMILY_CONTACTS, can

    from .models import FamilyReply
    from .replies import counts_for

    see_list = can(request.user, SEE_FAMILY_CONTACTS, meeting)
    answers = (
        list(FamilyReply.objects.filter(meeting=meeting).order_by("-coming", "created_at", "pk"))
        if see_list
        else []
    )
    return render_to_string(
        "progress/_meeting_family_replies.html",
        {
            "meeting": meeting,
            "counts": counts_for(meeting),
            "see_list": see_list,
            "answers": answers,
            "language_names": FAMILY_LANGUAGE_NAMES,
            "contact_days": FamilyReply.CONTACT_DAYS,
        },
        request=request,
    )
