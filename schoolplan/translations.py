"""Translations of a school's words for families, kept per object, field and language
(ContentTranslation). The rules, once:

- state(): a translation is missing, outdated (the English changed since it was made) or current.
- localize(): on a page for families, each object shows its translation in the page's language;
  where there is none, its English, and the field is listed in `obj.untranslated` so the page
  can say so (and mark the English as English for screen readers).
- save(): one field's translation, refused if someone else saved it since the editor opened it
  (its version), so two translators never overwrite each other unseen.

Which objects and fields families read is the families' pages' business (progress.family_content).
"""

from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, transaction

from . import clock
from .models import ContentTranslation

MISSING, OUTDATED, CURRENT = "missing", "outdated", "current"
STATE_LABELS = {
    MISSING: "Not translated",
    OUTDATED: "English changed since",
    CURRENT: "Up to date",
}


def state(english, text, source):
    """Whether a translation is missing, outdated (made from other English) or current."""
    if not (text or "").strip():
        return MISSING
    if (source or "").strip() != (english or "").strip():
        return OUTDATED
    return CURRENT


def key_of(obj):
    """(content type id, object id): how a translation names its object."""
    return ContentType.objects.get_for_model(obj).pk, obj.pk


def stored(pairs, languages):
    """The translations of (obj, fields) pairs in languages, in one query:
    {(content type id, object id, field, language): ContentTranslation}."""
    keys = {key_of(obj) for obj, _ in pairs}
    if not keys:
        return {}
    rows = ContentTranslation.objects.filter(
        content_type_id__in={ct for ct, _ in keys},
        object_id__in={pk for _, pk in keys},
        language__in=list(languages),
    )
    return {
        (row.content_type_id, row.object_id, row.field, row.language): row
        for row in rows
        if (row.content_type_id, row.object_id) in keys
    }


def localize(pairs, language):
    """Put each object's words in language (in memory only, for the page): pairs of (obj,
    fields). Fields with no translation keep their English and are listed in obj.untranslated."""
    pairs = [(obj, fields) for obj, fields in pairs if obj is not None]
    for obj, _ in pairs:
        obj.untranslated = set()
    if language == "en":
        return
    rows = stored(pairs, [language])
    for obj, fields in pairs:
        content_type, pk = key_of(obj)
        for name in fields:
            english = getattr(obj, name) or ""
            row = rows.get((content_type, pk, name, language))
            if row is not None and row.text.strip():
                setattr(obj, name, row.text)
            elif english.strip():
                obj.untranslated.add(name)


def forget(obj):
    """Delete an object's translations with it (a later object must not inherit them)."""
    content_type, pk = key_of(obj)
    ContentTranslation.objects.filter(content_type_id=content_type, object_id=pk).delete()


@dataclass
class Conflict:
    """A translation someone else saved while this editor had the page open."""

    theirs: ContentTranslation
    yours: str


def save(school, obj, name, language, text, version, user):
    """Keep one field's translation, made from the object's English as it is now. version: the
    one the editor started from (0: there was none). Returns the row, or a Conflict."""
    content_type, pk = key_of(obj)
    english = getattr(obj, name) or ""
    lookup = {"content_type_id": content_type, "object_id": pk, "field": name, "language": language}
    try:
        with transaction.atomic():
            row = ContentTranslation.objects.select_for_update().filter(**lookup).first()
            if (row.version if row else 0) != version:
                return Conflict(theirs=row, yours=text)
            if row is None:
                row = ContentTranslation(school=school, **lookup, version=0)
            row.text, row.source = text.strip(), english
            row.version += 1
            row.updated_at, row.updated_by = clock.now(), user
            row.save()
            return row
    except IntegrityError:  # a first translation saved by someone else at the same moment
        return Conflict(theirs=ContentTranslation.objects.get(**lookup), yours=text)
