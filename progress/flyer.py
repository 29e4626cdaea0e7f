"""A community meeting's one-page flyer for families, in one of the families' pages' languages
(issue 22, "invite families"): date, time, place, interpretation, childcare, and a QR code to
the page where families answer whether they come. A PDF job kind (schoolplan.pdf_jobs): made in
the worker, tagged."""

from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.utils import translation
from django.views.decorators.http import require_POST

from meetings.models import Meeting
from schoolplan import clock
from schoolplan.pdf import render_pdf
from schoolplan.pdf_jobs import request_pdf
from schoolplan.qr import qr_svg
from schoolplan.templatetags.schoolplan_tags import meeting_when

from .family import FAMILY_LANGUAGES, MEETING_KINDS
from .family_content import localize
from .family_links import LANGUAGE_LABELS, reply_url


def _meeting(user, params):
    meeting = get_object_or_404(
        Meeting.objects.visible_to(user).select_related("school", "district"),
        pk=params.get("meeting"),
    )
    if not meeting.is_for_families or params.get("language") not in FAMILY_LANGUAGES:
        raise Http404("No flyer for this meeting.")
    return meeting


def flyer_title(meeting, language):
    return f"Flyer: {meeting.title} ({LANGUAGE_LABELS[language]})"


def visible_flyer(user, params):
    meeting = _meeting(user, params)
    return flyer_title(meeting, params["language"]), meeting.get_absolute_url()


def render_flyer(params, user):
    meeting = _meeting(user, params)
    language = params["language"]
    job_title = flyer_title(meeting, language)  # the staff's words, as the job page names it
    localize([meeting], language)
    url = reply_url(meeting, language)
    # Formatted in the district's zone: the worker's own zone is not the school's.
    with translation.override(language), clock.zone(meeting.district):
        when = meeting_when(meeting)
        pdf = render_pdf(
            "progress/meeting_flyer_pdf.html",
            {
                "meeting": meeting,
                "kind": MEETING_KINDS[meeting.meeting_type],
                "when": when,
                "language": language,
                "url": url,
                "qr": qr_svg(url, box_size=6),
            },
            title=f"{meeting.school.name}: {meeting.title}",
            author=meeting.school.name,
        )
    return pdf, job_title, f"flyer-{meeting.pk}-{language}.pdf"


@require_POST
def meeting_flyer(request, pk, language):
    """Ask the worker for the flyer; its page shows the progress, then the download. Whether the
    user may see the meeting is request_pdf's check (visible_flyer): 404 if not."""
    job = request_pdf("meeting-flyer", {"meeting": pk, "language": language}, user=request.user)
    return redirect(job)
