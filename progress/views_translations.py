"""The school's words for families in their languages (issue 22, part 1): which translations
are missing or older than their English, and one page per language to write them. The draft of
a translation starts from the English (the machines are offline: no machine translation)."""

from django.contrib import messages
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.html import format_html
from django.views.decorators.http import require_http_methods

from schoolplan import clock, translations
from schoolplan.forms import Posted
from schoolplan.models import FAMILY_LANGUAGE_NAMES, School
from schoolplan.permissions import EDIT_SCHOOL_PLAN, VIEW_SCHOOL, can, get_visible_or_404
from schoolplan.rows import day_and_time

from .family import FAMILY_LANGUAGES
from .family_content import family_items
from .models import SpfSummary


def translation_languages(school):
    """The school's family languages that have families' pages, besides English."""
    return [code for code in school.family_languages if code in FAMILY_LANGUAGES and code != "en"]


def _rows(items, languages):
    """Per item and field: the English, and per language the stored row and its state."""
    stored = translations.stored([(item.obj, item.fields) for item in items], languages)
    rows = []
    for item in items:
        content_type, _pk = translations.key_of(item.obj)
        for name in item.fields:
            english = item.english[name]
            per_language = {}
            for language in languages:
                row = stored.get((content_type, item.obj.pk, name, language))
                state = translations.state(english, row and row.text, row and row.source)
                per_language[language] = (row, state)
            rows.append(
                {
                    "item": item,
                    "field": name,
                    "box": f"t-{content_type}-{item.obj.pk}-{name}",
                    "english": english,
                    "per_language": per_language,
                    "limit": item.obj._meta.get_field(name).max_length,
                    "label": item.obj._meta.get_field(name).verbose_name,
                }
            )
    return rows


def _spf_states(school, languages):
    summary = (
        SpfSummary.objects.filter(school=school, published_at__isnull=False)
        .select_related("school_year")
        .order_by("-school_year__start_year")
        .first()
    )
    if summary is None:
        return None, {}
    return summary, {language: summary.translation_state(language) for language in languages}


def translations_home(request, school_pk):
    school = get_visible_or_404(
        School.objects.select_related("district"), request.user, VIEW_SCHOOL, pk=school_pk
    )
    languages = translation_languages(school)
    rows = _rows(family_items(school), languages)
    counts = []
    for language in languages:
        states = [row["per_language"][language][1] for row in rows]
        counts.append(
            {
                "code": language,
                "name": FAMILY_LANGUAGE_NAMES[language],
                "missing": states.count(translations.MISSING),
                "outdated": states.count(translations.OUTDATED),
                "current": states.count(translations.CURRENT),
            }
        )
    summary, spf_states = _spf_states(school, languages)
    return render(
        request,
        "progress/translations_home.html",
        {
            "school": school,
            "counts": counts,
            "fields": len(rows),
            "summary": summary,
            "spf_states": [
                (FAMILY_LANGUAGE_NAMES[code], translations.STATE_LABELS[state], state)
                for code, state in spf_states.items()
            ],
            "can_edit": can(request.user, EDIT_SCHOOL_PLAN, school),
        },
    )


@require_http_methods(["GET", "POST"])
def translations_edit(request, school_pk, language):
    school = get_visible_or_404(
        School.objects.select_related("district"), request.user, EDIT_SCHOOL_PLAN, pk=school_pk
    )
    if language not in translation_languages(school):
        raise Http404("The school has no families' page in that language.")
    rows = _rows(family_items(school), [language])
    boxes = [row["box"] for row in rows]
    posted = Posted(request.POST if request.method == "POST" else None, boxes)
    if request.method == "POST":
        saved = _save(request, school, language, rows, posted)
        if saved is not None:
            messages.success(request, saved)
            if not posted.errors:
                return redirect(request.path)
        rows = _rows(family_items(school), [language])  # versions after the saves
    for row in rows:
        stored, state = row["per_language"][language]
        row["stored"], row["state"] = stored, state
        row["state_label"] = translations.STATE_LABELS[state]
        row["version"] = stored.version if stored else 0
        box = posted[row["box"]]
        if request.method != "POST" or not posted.errors:
            # The draft starts from the English; a stored translation shows as it is. A refused
            # save shows every box as it was typed.
            box.value = stored.text if stored and stored.text else row["english"]
        row["posted"] = box
    return render(
        request,
        "progress/translations_edit.html",
        {
            "school": school,
            "language": language,
            "language_name": FAMILY_LANGUAGE_NAMES[language],
            "rows": rows,
            "posted": posted,
        },
    )


def _save(request, school, language, rows, posted):
    """Check every box first (nothing saved if one is too long), then save each changed one on
    its own version: a box someone else saved meanwhile is refused alone, with both texts."""
    changes = []
    for row in rows:
        box = posted[row["box"]]
        stored, _state = row["per_language"][language]
        shown = stored.text if stored and stored.text else row["english"]
        confirm = request.POST.get(f"keep-{row['box']}") == "on"
        if box.value.strip() == shown.strip() and not confirm:
            continue
        if not box.value.strip():
            box.errors.append("Write the translation, or leave the box as it was.")
        elif row["limit"] and len(box.value) > row["limit"]:
            box.errors.append(
                f"At most {row['limit']:,} characters, as in English; this has {len(box.value):,}."
            )
        version = _version(request.POST.get(f"v-{row['box']}"))
        if version is None:
            box.errors.append("This box came without its version: reload the page.")
        changes.append((row, box, version))
    if posted.errors:
        posted.add_error(None, "Nothing was saved: see the boxes marked below.")
        return None
    saved = 0
    with transaction.atomic():
        for row, box, version in changes:
            result = translations.save(
                school, row["item"].obj, row["field"], language, box.value, version, request.user
            )
            if isinstance(result, translations.Conflict):
                _refuse_stale(posted, row, result, school)
            else:
                saved += 1
    if saved:
        from .family import forget_family_page

        forget_family_page(school)  # after the commit above: the next reader sees it
    if not changes:
        return "Nothing changed."
    return f"Saved {saved} translation{'s' if saved != 1 else ''}." if saved else None


def _refuse_stale(posted, row, conflict, school):
    theirs = conflict.theirs
    who = getattr(theirs.updated_by, "display_name", "") or "Someone"
    when = day_and_time(clock.local(theirs.updated_at, school))
    posted.add_error(
        row["box"],
        format_html(
            "Not saved: {} saved this translation at {}, after you opened the page. Their "
            "version: <q>{}</q>. Yours is still in the box.",
            who,
            when,
            theirs.text,
        ),
    )


def _version(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None
