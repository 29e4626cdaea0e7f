"""The families' answers to a community meeting: public pages, no account (progress.replies
keeps the rules). Every page here is the family's own: never cached, never shown to another
visitor.

CSRF: these forms are exempt on purpose. Families have no session for a forged request to ride
on, and a cookie would be all that stood between a phone that refuses cookies and its answer;
the form's signed stamp (progress.replies.check_stamp) is the check instead."""

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.http import Http404
from django.shortcuts import render
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from . import replies
from .family import (
    MEETING_KINDS,
    family_meeting_or_404,
    family_url,
    language_links,
    school_of_page,
)
from .family_content import localize
from .forms import FamilyReplyForm

TOO_MANY = _(
    "Too many answers were sent from your network in the last hour. "
    "Please try again later, or call the school."
)
CHECK_AGAIN = _("Please check your answer, then send it again.")


def _public(view):
    for decorator in (
        require_http_methods(["GET", "POST"]),
        never_cache,
        csrf_exempt,
        login_not_required,
    ):
        view = decorator(view)
    return view


class FamilyPage:
    """One family's page in its language: renders templates/family/<name>.html."""

    def __init__(self, request, school, language, links, **context):
        self.request, self.language = request, language
        self.context = {
            "school": school,
            "language": language,
            "language_links": links,
            "back": family_url("family_school", language, school.public_slug),
            **context,
        }

    def __call__(self, name, status=200, **context):
        with translation.override(self.language):
            response = render(
                self.request, f"family/{name}.html", {**self.context, **context}, status=status
            )
        response["Content-Language"] = self.language
        return response


def _with_fresh_stamp(form):
    """The form shown (again) carries a new stamp: a sent one has been judged."""
    stamp = replies.new_stamp()
    if form.is_bound:
        form.data = form.data.copy()
        form.data["stamp"] = stamp
    else:
        form.initial["stamp"] = stamp
    return form


def _change_address(slug, language):
    def address(token):
        path = family_url("family_reply_change", language, slug, token)
        return f"{settings.SITE_URL.rstrip('/')}{path}"

    return address


@_public
def family_reply(request, slug, pk, language="en"):
    """The form behind each upcoming meeting's "Tell us if you are coming"."""
    school = school_of_page(slug)
    meeting = family_meeting_or_404(school, pk)
    localize([meeting], language)
    meeting.kind = MEETING_KINDS[meeting.meeting_type]
    page = FamilyPage(
        request,
        school,
        language,
        language_links(language, "family_reply", slug, pk),
        meeting=meeting,
    )
    if not replies.takes_replies(meeting):
        return page("reply_closed", status=410)
    with translation.override(language):
        data = request.POST if request.method == "POST" else None
        form = FamilyReplyForm(data, languages=school.family_languages)
        status = 200
        if form.is_bound and form.is_robot:
            return page("reply_done")  # looks accepted; keeps nothing
        if form.is_bound and form.is_valid():
            stamp = replies.check_stamp(form.data.get("stamp"))
            if stamp == "used":
                return page("reply_done", again=True)
            if stamp != "ok":
                form.add_error(None, CHECK_AGAIN)
            elif not replies.within_rate(request.META.get("REMOTE_ADDR", "")):
                form.add_error(None, TOO_MANY)
                status = 429
            else:
                address = _change_address(slug, language)
                reply, token = replies.create(meeting, form.cleaned_data, language, address)
                return page("reply_done", reply=reply, change_url=address(token))
        return page("reply", status=status, form=_with_fresh_stamp(form))


@_public
def family_reply_change(request, slug, token, language="en"):
    """The family's private link: change the answer, or withdraw it, while the meeting is ahead."""
    school = school_of_page(slug)
    reply = replies.find(token)
    if reply is None or reply.meeting.school_id != school.pk:
        raise Http404("This link does not work any more.")
    meeting = reply.meeting
    localize([meeting], language)
    meeting.kind = MEETING_KINDS[meeting.meeting_type]
    links = language_links(language, "family_reply_change", slug, token)
    page = FamilyPage(request, school, language, links, meeting=meeting, reply=reply)
    if not replies.takes_replies(meeting):
        return page("reply_closed")
    action = request.POST.get("action", "save") if request.method == "POST" else None
    with translation.override(language):
        if action == "withdraw":
            return page("reply_withdraw")
        if action == "withdraw-confirmed":
            replies.withdraw(reply)
            form = FamilyReplyForm(
                languages=school.family_languages, initial=FamilyReplyForm.initial_from(reply)
            )
            return page("reply_change", form=form, withdrawn=True)
        form = FamilyReplyForm(
            request.POST if action else None,
            languages=school.family_languages,
            initial=FamilyReplyForm.initial_from(reply),
        )
        status = 200
        if action and form.is_valid():
            if replies.within_rate(request.META.get("REMOTE_ADDR", "")):
                replies.change(reply, form.cleaned_data, _change_address(slug, language), token)
                form = FamilyReplyForm(
                    languages=school.family_languages, initial=FamilyReplyForm.initial_from(reply)
                )
                return page("reply_change", form=form, saved=True)
            form.add_error(None, TOO_MANY)
            status = 429
        return page("reply_change", status=status, form=form)
