"""The families' page of a school: public, no login, in English or Spanish.

It shows only what the school published: the SPF family summary, the Blueprint, the year's
goals and how they are going, and the upcoming community meetings (CPM, cadre, Title I, SPF)
with an "add to calendar" file each. Drafts, group and pupil notes, plans in draft and staff
names never appear. The rendered page is cached (many families read it at once after results
come out) and forgotten whenever something it shows changes (progress.signals).
"""

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.core.cache import cache
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from meetings.calendar import calendar_for
from meetings.models import FAMILY_MEETING_TYPES, Goal, Meeting, MeetingType
from schoolplan import clock
from schoolplan.models import FAMILY_LANGUAGE_NAMES, School, SchoolYear

from .family_content import localize, localize_blueprint, published_blueprint, upcoming_meetings
from .models import SpfSummary

# The families' pages' languages (settings.LANGUAGES); English, the first, has no /<code>/.
FAMILY_LANGUAGES = tuple(code for code, _name in settings.LANGUAGES)
CACHE_SECONDS = 600
MEETING_KINDS = {
    MeetingType.CPM: _("Community progress meeting"),
    MeetingType.CADRE: _("Family and community cadre"),
    MeetingType.TITLE_I_PARENT: _("Title I annual parent meeting"),
    MeetingType.SPF: _("School results meeting"),
}


def family_url(name, language, slug, *args):
    """The address of a families' page (name: its English URL name) in language: English has no
    language in its path, the others have /<language>/ after the school's."""
    if language == "en":
        return reverse(name, args=[slug, *args])
    return reverse(f"{name}_in", args=[slug, language, *args])


def language_links(language, name, slug, *args):
    """The page in each families' page language: [(code, its name in itself, url, current)]."""
    labels = dict(settings.LANGUAGES)
    return [
        (code, labels[code], family_url(name, code, slug, *args), code == language)
        for code in FAMILY_LANGUAGES
    ]


PAGE_URL_NAMES = {"home": "family_school", "blueprint": "family_blueprint"}


def _cache_key(school_id, page, language):
    return f"family-page:{school_id}:{page}:{language}"


def forget_family_page(school_or_id):
    """Drop the cached family pages of a school, so the next reader sees the change."""
    school_id = getattr(school_or_id, "pk", school_or_id)
    cache.delete_many(
        [
            _cache_key(school_id, page, language)
            for page in ("home", "blueprint")
            for language in FAMILY_LANGUAGES
        ]
    )


def home_context(school, language):
    today = clock.today(school)
    year = SchoolYear.objects.of_district_on(school.district_id, today)
    summary = (
        SpfSummary.objects.filter(school=school, published_at__isnull=False)
        .select_related("school_year")
        .order_by("-school_year__start_year")
        .first()
    )
    summary_language, summary_text = summary.text_in(language) if summary else (None, "")
    blueprint = published_blueprint(school)
    # The goals families see are those of the published Blueprint's year.
    goals = (
        list(
            Goal.objects.filter(school=school, school_year=blueprint.school_year).prefetch_related(
                "metrics__measurements"
            )
        )
        if blueprint
        else []
    )
    meetings = upcoming_meetings(school)
    localize([*meetings, *goals, *(m for goal in goals for m in goal.metrics.all())], language)
    for meeting in meetings:
        meeting.kind = MEETING_KINDS[meeting.meeting_type]
    return {
        "year": year,
        "summary": summary,
        "summary_text": summary_text,
        "summary_language": str(FAMILY_LANGUAGE_NAMES.get(summary_language, "")),
        "summary_code": summary_language,
        "summary_in_other_language": bool(summary_text) and summary_language != language,
        "blueprint": blueprint,
        "goals": goals,
        "meetings": meetings,
        "languages": school.family_language_names,
    }


def _render_cached(request, school, page, language, build):
    key = _cache_key(school.pk, page, language)
    html = cache.get(key)
    if html is None:
        with translation.override(language):
            html = render_to_string(
                f"family/{page}.html",
                {
                    "school": school,
                    "language": language,
                    "language_links": language_links(
                        language, PAGE_URL_NAMES[page], school.public_slug
                    ),
                    **build(),
                },
            )
        cache.set(key, html, CACHE_SECONDS)
    response = HttpResponse(html)
    response["Content-Language"] = language
    response["Cache-Control"] = f"public, max-age={CACHE_SECONDS // 10}"
    return response


def family_meeting_or_404(school, pk):
    """One of the school's meetings families are invited to (no other kind is public)."""
    return get_object_or_404(
        Meeting.objects.filter(school=school, meeting_type__in=FAMILY_MEETING_TYPES).select_related(
            "school", "district"
        ),
        pk=pk,
    )


def school_of_page(slug):
    """The school of a family page; the page shows times in its district's zone (families have
    no account, so no zone of their own), and so does the page kept in the cache."""
    school = get_object_or_404(School.objects.select_related("district"), public_slug=slug)
    clock.activate(school)
    return school


@login_not_required
@require_GET
def family_home(request, slug, language="en"):
    school = school_of_page(slug)
    return _render_cached(request, school, "home", language, lambda: home_context(school, language))


@login_not_required
@require_GET
def family_blueprint(request, slug, language="en"):
    school = school_of_page(slug)
    blueprint = published_blueprint(school)
    if blueprint is None:
        raise Http404("This school has not published its Blueprint yet.")

    def build():
        from plans.views_school import blueprint_sections

        sections = blueprint_sections(blueprint)
        localize_blueprint(blueprint, sections, language)
        return {"blueprint": blueprint, "sections": sections}

    return _render_cached(request, school, "blueprint", language, build)


@login_not_required
@require_GET
def family_meeting_ics(request, slug, pk, language="en"):
    """One community meeting as a calendar file, in the families' page's language: only the
    kinds families are invited to."""
    school = school_of_page(slug)
    meeting = family_meeting_or_404(school, pk)
    localize([meeting], language)
    with translation.override(language):
        calendar = calendar_for([meeting], meeting.title, place=school, for_families=True)
    response = HttpResponse(calendar.to_ical(), content_type="text/calendar; charset=utf-8")
    response["Content-Language"] = language
    response["Content-Disposition"] = f'attachment; filename="meeting-{meeting.pk}.ics"'
    return response
