"""SPF results (imported for a whole district from CSV) and the family summary the principal
writes from them and publishes (seed 000: share SPF results with families in the window).

The import file: UTF-8 CSV with the header
`school,rating,overall,growth,achievement,gaps,engagement,postsecondary`; `school` is the
school's name or its family-page address (slug) in this district; `rating` one of the SPF
ratings (its name or code); the rest are percents of points (0–100), blank where an indicator
does not apply (e.g. college and career readiness in an elementary school). Every row is checked
before anything is written; one error and nothing is imported.
"""

from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import translation

from schoolplan import audit, clock
from schoolplan.csvfiles import HEADER_PLACE, CsvImportError, data_rows, read_rows

from .models import SPF_INDICATORS, SpfRating, SpfResult, SpfSummary

HEADER = ["school", "rating", "overall", *(key for key, _ in SPF_INDICATORS)]
MAX_BYTES = 1024 * 1024
_RATINGS = {
    **{value: value for value in SpfRating.values},
    **{str(label).lower(): value for value, label in SpfRating.choices},
}


class SpfImportError(CsvImportError):
    pass


def _percent(text, *, required):
    text = text.strip().removesuffix("%").strip()
    if not text:
        if required:
            raise ValueError("is required")
        return None
    try:
        value = Decimal(text.replace(",", "."))
    except InvalidOperation:
        raise ValueError(f"“{text[:20]}” is not a number") from None
    if not value.is_finite() or not 0 <= value <= 100:
        raise ValueError(f"“{text[:20]}” is not a percent from 0 to 100")
    return value.quantize(Decimal("0.1"))


def read_spf_csv(data, district):
    """[(school, fields)] from the file's bytes, or SpfImportError naming every problem."""
    rows = read_rows(data, max_bytes=MAX_BYTES, error=SpfImportError)
    header = [cell.strip().lower() for cell in rows[0]]
    if header != HEADER:
        missing = [column for column in HEADER if column not in header]
        extra = [column for column in header if column not in HEADER]
        detail = "; ".join(
            part
            for part in (
                f"missing {', '.join(missing)}" if missing else "",
                f"unknown {', '.join(extra)}" if extra else "",
                "in the wrong order" if not missing and not extra else "",
            )
            if part
        )
        raise SpfImportError(
            [f"{HEADER_PLACE}: the columns must be {','.join(HEADER)} ({detail})."]
        )
    schools = {}
    for school in district.schools.all():
        schools[school.name.strip().lower()] = school
        schools[school.public_slug.lower()] = school
    body = data_rows(rows, "results")
    if not body:
        raise SpfImportError(["The file has a header but no schools."])
    errors, parsed, seen = [], [], {}
    for place, row in body:
        if len(row) != len(HEADER):
            errors.append(f"{place}: it has {len(row)} values; the header has {len(HEADER)}.")
            continue
        cells = dict(zip(HEADER, row, strict=True))
        school = schools.get(cells["school"].strip().lower())
        if school is None:
            errors.append(
                f"{place}, column school: “{cells['school'].strip()[:60]}” is not a school "
                f"of {district.name}."
            )
            continue
        if school.pk in seen:
            errors.append(
                f"{place}, column school: {school.name} is already on {seen[school.pk].ref}."
            )
            continue
        seen[school.pk] = place
        fields = {}
        rating = _RATINGS.get(" ".join(cells["rating"].lower().split()))
        if rating is None:
            errors.append(
                f"{place}, column rating: “{cells['rating'].strip()[:40]}” is not an SPF "
                f"rating ({', '.join(str(label) for label in SpfRating.labels)})."
            )
        fields["rating"] = rating
        for column in HEADER[2:]:
            try:
                fields[column] = _percent(cells[column], required=column == "overall")
            except ValueError as error:
                errors.append(f"{place}, column {column}: {error}.")
        parsed.append((school, fields))
    if errors:
        raise SpfImportError(errors)
    return parsed


@transaction.atomic
def import_spf(district, *, year, data, user):
    """Write the file's results for the year: (created, updated)."""
    created = updated = 0
    for school, fields in read_spf_csv(data, district):
        _, was_created = SpfResult.objects.update_or_create(
            school=school, school_year=year, defaults={**fields, "imported_by": user}
        )
        created += was_created
        updated += not was_created
    return created, updated


def results_with_previous(school, year):
    """(this year's result, the previous year's) for the school; either may be None."""
    results = {
        r.school_year.start_year: r
        for r in SpfResult.objects.filter(
            school=school, school_year__start_year__in=(year.start_year, year.start_year - 1)
        ).select_related("school_year")
    }
    return results.get(year.start_year), results.get(year.start_year - 1)


def draft_text(school, year, result, previous, language):
    """The plain-language summary with the numbers filled in, in language (en or es)."""
    with translation.override(language):
        return render_to_string(
            "progress/spf_summary_draft.txt",
            {"school": school, "year": year, "result": result, "previous": previous},
        ).strip()


def save_texts(school, year, texts, *, user):
    """Store the summary's texts (language code -> text); blank texts are dropped."""
    texts = {code: text.strip() for code, text in texts.items() if (text or "").strip()}
    too_long = {
        f"text-{code}": f"At most {SpfSummary.MAX_CHARS:,} characters; this has {len(text):,}. "
        "Families read it on a phone: keep it to what they need."
        for code, text in texts.items()
        if len(text) > SpfSummary.MAX_CHARS
    }
    if too_long:
        raise ValidationError(too_long)
    summary, _ = SpfSummary.objects.get_or_create(school=school, school_year=year)
    if summary.is_published and summary.texts != texts:
        audit.record(user, "spf-summary-edited", summary)
    # A translation written or changed now is made from today's English; one left as it was
    # keeps the English it came from, so it shows as outdated once the English moves on.
    english = texts.get("en", "")
    summary.sources = {
        code: english
        if text != summary.texts.get(code) or code not in summary.sources
        else summary.sources[code]
        for code, text in texts.items()
        if code != "en"
    }
    summary.texts = texts
    summary.save(update_fields=["texts", "sources", "updated_at"])
    return summary


@transaction.atomic
def publish(summary, *, user):
    summary = SpfSummary.objects.select_for_update().get(pk=summary.pk)
    if not any(text.strip() for text in summary.texts.values()):
        raise ValidationError("Write the summary before publishing it: families would see nothing.")
    if summary.published_at is None:  # republishing an edit keeps the first publication date
        summary.published_at = clock.now()
        summary.published_by = user
    summary.save(update_fields=["published_at", "published_by", "updated_at"])
    audit.record(user, "spf-summary-published", summary)
    return summary


@transaction.atomic
def unpublish(summary, *, user):
    summary = SpfSummary.objects.select_for_update().get(pk=summary.pk)
    summary.published_at = None
    summary.published_by = None
    summary.save(update_fields=["published_at", "published_by", "updated_at"])
    audit.record(user, "spf-summary-unpublished", summary)
    return summary


def published_days(school_ids, year_ids):
    """{school id: the day its family summary was published, in its district's calendar}, for
    the CPM requirement model's SPF rule (meetings.cpm.SPF_PUBLICATION_HOOKS); one query."""
    rows = SpfSummary.objects.filter(
        school__in=school_ids, school_year__in=year_ids, published_at__isnull=False
    ).values_list("school_id", "published_at", "school__district__time_zone")
    return {school_id: clock.local_date(at, zone) for school_id, at, zone in rows}


def compare(result, previous):
    """Rows (label, this year, the year before, change in points) for a side-by-side table."""
    rows = [
        (
            "Overall rating",
            result.get_rating_display() if result else None,
            previous.get_rating_display() if previous else None,
            None,
        )
    ]
    for key, label in [("overall", "Overall (% of points)"), *SPF_INDICATORS]:
        now = getattr(result, key) if result else None
        before = getattr(previous, key) if previous else None
        change = now - before if now is not None and before is not None else None
        rows.append((str(label), now, before, change))
    return rows
