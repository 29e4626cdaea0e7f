"""Recording measurements: one value, or in bulk (a form row per metric, or a CSV file).

One value per metric and date (issue 18). Recording a value for a date that already has one is a
correction of it: the earlier version is kept, marked replaced (when, by whom), and the new one
says why. A removal marks the current value replaced with its reason. Nothing is overwritten,
and "entered by" of each version never changes. record_value, correct_value and remove_value are
the rule; the review page, the metric's page, the bulk form and the CSV import all go through it.

Bulk entry checks everything first and writes in one transaction: any error and nothing is saved.
The CSV: UTF-8, a header row `metric,date,value,note`; `metric` is the metric's number (shown on
its page) or its exact name; `date` is YYYY-MM-DD; `value` a number; `note` optional.
"""

from datetime import date as date_type
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils.dateformat import format as format_date

from plans.models import Blueprint, EssaPlan, PlanForImprovement
from schoolplan import clock
from schoolplan.csvfiles import HEADER_PLACE, CsvImportError, data_rows, read_rows
from schoolplan.models import User
from schoolplan.rows import day_and_time

from .family import forget_family_page
from .models import Measurement, Metric
from .signals import school_of_metric

HEADER = ["metric", "date", "value", "note"]
MAX_BYTES = 1024 * 1024
MAX_ROWS = 5000
LIMIT = Decimal("9999999999.99")  # what a measurement's column holds


def metrics_of(document):
    """Every metric of a plan document, whatever in it the metric hangs on."""
    if isinstance(document, EssaPlan):
        condition = Q(essa_plan=document)
    elif isinstance(document, Blueprint):
        condition = (
            Q(blueprint=document)
            | Q(initiative__blueprint=document)
            | Q(goal__school=document.school_id, goal__school_year=document.school_year_id)
        )
    elif isinstance(document, PlanForImprovement):
        condition = Q(outcome__activity__strategy__plan=document) | Q(
            activity__strategy__plan=document
        )
    else:  # pragma: no cover - a programming error
        raise TypeError(f"No metrics for {type(document).__name__}")
    return Metric.objects.filter(condition).order_by("kind", "name", "pk")


class MeasurementImportError(CsvImportError):
    lead = "Nothing was saved. Fix these and try again."


def parse_value(text):
    """A measured value from what a person typed: '42', '42.5', '42,5' or '42%'."""
    cleaned = text.strip().removesuffix("%").strip().replace(",", ".")
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        raise ValueError(f"“{text.strip()[:40]}” is not a number") from None
    if not value.is_finite() or abs(value) > LIMIT:
        raise ValueError(f"“{text.strip()[:40]}” is out of range")
    if value != value.quantize(Decimal("0.01")):
        raise ValueError(f"“{text.strip()[:40]}” has more than two decimal places")
    return value


def parse_date(text):
    try:
        return date_type.fromisoformat(text.strip())
    except ValueError:
        raise ValueError(f"“{text.strip()[:40]}” is not a date (YYYY-MM-DD)") from None


def read_csv(data, metrics):
    """[(metric, date, value, note)] from the file's bytes, or MeasurementImportError."""
    rows = read_rows(data, max_bytes=MAX_BYTES, error=MeasurementImportError)
    header = [cell.strip().lower() for cell in rows[0]]
    if header[:3] != HEADER[:3] or len(header) > 4 or (len(header) == 4 and header[3] != "note"):
        raise MeasurementImportError(
            [
                f"{HEADER_PLACE}: the columns must be {', '.join(HEADER)} (note is optional), not "
                f"{', '.join(header) or 'nothing'}."
            ]
        )
    by_id = {str(metric.pk): metric for metric in metrics}
    by_name = {}
    for metric in metrics:
        by_name.setdefault(metric.name.strip().lower(), []).append(metric)
    body = data_rows(rows, "measurements")
    if not body:
        raise MeasurementImportError(["The file has a header but no measurements."])
    if len(body) > MAX_ROWS:
        raise MeasurementImportError([f"The file has more than {MAX_ROWS} rows."])
    errors, parsed, seen = [], [], {}
    for place, row in body:
        if len(row) not in (3, 4) or len(row) > len(header):
            errors.append(f"{place}: it has {len(row)} values; the header has {len(header)}.")
            continue
        key = row[0].strip()
        metric = by_id.get(key)
        if metric is None:
            named = by_name.get(key.lower(), [])
            if len(named) == 1:
                metric = named[0]
            elif len(named) > 1:
                errors.append(
                    f"{place}, column metric: two metrics are called “{key[:60]}”; use "
                    "the metric's number."
                )
                continue
            else:
                errors.append(f"{place}, column metric: no metric “{key[:60]}” in this plan.")
                continue
        problems = []
        try:
            day = parse_date(row[1])
        except ValueError as error:
            problems.append(f"{place}, column date: {error}.")
        try:
            value = parse_value(row[2])
        except ValueError as error:
            problems.append(f"{place}, column value: {error}.")
        note = row[3].strip() if len(row) == 4 else ""
        if len(note) > 300:
            problems.append(f"{place}, column note: longer than 300 characters.")
        if problems:
            errors.extend(problems)
            continue
        first = seen.setdefault((metric.pk, day), place)
        if first != place:
            errors.append(
                f"{place}: “{metric.name[:60]}” has a value for {day.isoformat()} on "
                f"{first.ref} already; one value per metric and date."
            )
            continue
        parsed.append((metric, day, value, note))
    if errors:
        raise MeasurementImportError(errors)
    return parsed


# --- One value per metric and date, and its history (issue 18) -------------------------------

ATTEMPTS = 10  # a write that met another's for the same date is tried again, on fresh rows
TEXT_LIMIT = 300  # what a note or a reason holds


def _day(day):
    return format_date(day, "j M Y")


def _when(moment):
    return day_and_time(clock.local(moment))


def _shown(value, metric):
    return f"{Decimal(value).normalize():f}{metric.unit}"


def _who(user):
    return user.display_name if user is not None else "someone"


def _checked_value(value):
    try:
        return parse_value(str(value))
    except ValueError as error:
        raise ValidationError({"value": f"{error}."}) from None


def _text(text, field):
    text = (text or "").strip()
    if len(text) > TEXT_LIMIT:
        raise ValidationError({field: f"Keep it to {TEXT_LIMIT} characters."})
    return text


class StaleMeasurement(ValidationError):
    """The value someone corrects or removes is no longer the current one: another person
    corrected or removed it meanwhile. Says who did, when, their value and yours."""

    def __init__(self, seen, current, *, yours=None):
        metric = seen.metric
        self.seen, self.current, self.yours = seen, current, yours
        self.removed = None
        if current is not None:
            self.by, self.at = current.recorded_by, current.recorded_at
            text = (
                f"Meanwhile {_who(self.by)} changed the value for {_day(seen.date)} to "
                f"{_shown(current.value, metric)} ({_when(self.at)})."
            )
        else:
            self.removed = (
                Measurement.history.filter(metric_id=seen.metric_id, date=seen.date)
                .select_related("replaced_by")
                .order_by("-replaced_at", "-pk")
                .first()
            )
            self.by, self.at = self.removed.replaced_by, self.removed.replaced_at
            text = (
                f"Meanwhile {_who(self.by)} removed the value for {_day(seen.date)} "
                f"({_when(self.at)}): “{self.removed.removal_reason}”."
            )
        if yours is not None:
            text += f" Yours: {_shown(yours, metric)}."
        super().__init__(f"{text} Nothing was saved.", code="stale")


def _write(entries, *, user, reason_required=False):
    """entries: [(metric, day, value, note, review, reason)], at most one per metric and date.
    In one transaction, under row locks: a date with no value gets one; the same value and
    note are left as they are; another value replaces the current version, which is kept.
    Returns the current version of each entry."""
    for attempt in range(ATTEMPTS):
        try:
            with transaction.atomic():
                return _write_once(entries, user=user, reason_required=reason_required)
        except IntegrityError:
            # Someone recorded a value for one of these dates at the same moment: the partial
            # unique index refused the second current value. Read the rows again.
            if attempt == ATTEMPTS - 1:
                raise ValidationError(
                    "Others were recording values for the same dates at the same moment. "
                    "Nothing was saved; try again.",
                    code="busy",
                ) from None
    return []  # pragma: no cover - the loop returns or raises


def _write_once(entries, *, user, reason_required):
    metrics = {metric.pk: metric for metric, *_ in entries}
    days = {day for _, day, *_ in entries}
    current = {
        (m.metric_id, m.date): m
        for m in Measurement.objects.select_for_update()
        .filter(metric__in=list(metrics), date__in=days)
        .order_by("pk")
    }
    results, new, replaced, unexplained = [], [], [], []
    for metric, day, value, note, review, reason in entries:
        old = current.get((metric.pk, day))
        if old is not None and old.value == value and old.note == note:
            results.append(old)  # nothing new: no new version
            continue
        if old is not None:
            if reason_required and not reason:
                unexplained.append((metric, old))
            replaced.append(old.pk)
        row = Measurement(
            metric=metric,
            date=day,
            value=value,
            note=note,
            # A correction stays with the review the value was measured at.
            review_id=review.pk if review is not None else (old.review_id if old else None),
            recorded_by=user,
            reason=reason if old is not None else "",
        )
        new.append(row)
        results.append(row)
    if unexplained:
        by = {u.pk: u for u in _users({old.recorded_by_id for _, old in unexplained})}
        raise MeasurementImportError(
            [
                f"{metric.name}: {_day(old.date)} has {_shown(old.value, metric)} already, "
                f"entered by {_who(by.get(old.recorded_by_id))} on {_when(old.recorded_at)}. "
                "Give a reason to correct it."
                for metric, old in unexplained
            ]
        )
    if replaced:
        Measurement.history.filter(pk__in=replaced).update(
            replaced_at=clock.now(), replaced_by=user
        )
    if new:
        Measurement.objects.bulk_create(new)
        # bulk_create sends no post_save: tell the family pages of the schools concerned.
        for school_id in {school_of_metric(row.metric) for row in new} - {None}:
            transaction.on_commit(lambda school_id=school_id: forget_family_page(school_id))
    return results


def _users(ids):
    return User.objects.filter(pk__in=ids - {None})


def record_value(metric, *, day, value, user, review=None, note="", reason=""):
    """The value of metric on day. No value yet for the day: recorded. The same value and note:
    the current version, unchanged. Another value: a correction, the earlier one kept."""
    if isinstance(day, str):
        try:
            day = parse_date(day)
        except ValueError as error:
            raise ValidationError({"date": f"{error}."}) from None
    value = _checked_value(value)
    note, reason = _text(note, "note"), _text(reason, "reason")
    return _write([(metric, day, value, note, review, reason)], user=user)[0]


def _current_or_stale(measurement, *, yours=None):
    """The version, locked, if it is still the current value of its date; else StaleMeasurement."""
    current = (
        Measurement.objects.select_for_update()
        .filter(metric_id=measurement.metric_id, date=measurement.date)
        .first()
    )
    if current is None or current.pk != measurement.pk:
        if current is not None:
            current = Measurement.objects.select_related("recorded_by").get(pk=current.pk)
        raise StaleMeasurement(measurement, current, yours=yours)
    return current


def correct_value(measurement, *, user, value, reason, note=None):
    """Correct the current value of a date, saying why. Refused if it is no longer current."""
    errors = {}
    try:
        value = _checked_value(value)
    except ValidationError as error:
        errors.update(error.message_dict)
    try:
        reason = _text(reason, "reason")
        if not reason:
            errors["reason"] = "Say why the value is corrected; the reason stays in its history."
        note = None if note is None else _text(note, "note")
    except ValidationError as error:
        errors.update(error.message_dict)
    if errors:
        raise ValidationError(errors)
    metric = measurement.metric
    with transaction.atomic():
        current = _current_or_stale(measurement, yours=value)
        note = current.note if note is None else note
        if value == current.value and note == current.note:
            raise ValidationError(
                {
                    "value": f"{_shown(value, metric)} is the value recorded already; "
                    "nothing to correct."
                }
            )
        return _write([(metric, current.date, value, note, None, reason)], user=user)[0]


def remove_value(measurement, *, user, reason):
    """Remove the current value of a date, saying why: it stays in the history, and the date
    has no current value (not on the chart, the status or the reports)."""
    reason = _text(reason, "reason")
    if not reason:
        raise ValidationError(
            {"reason": "Say why the value is removed; the reason stays in its history."}
        )
    with transaction.atomic():
        current = _current_or_stale(measurement)
        current.replaced_at, current.replaced_by, current.removal_reason = (
            clock.now(),
            user,
            reason,
        )
        current.save(update_fields=["replaced_at", "replaced_by", "removal_reason"])
    return current


@transaction.atomic
def record_all(rows, *, user, reason=""):
    """Save [(metric, date, value, note)] in one transaction, by the rule of record_value. A
    row for a date that already has another value corrects it, and needs a reason (a file's
    import gives "imported from <file>"). Two rows for one metric and date are refused."""
    errors, seen = [], set()
    for metric, day, *_ in rows:
        if (metric.pk, day) in seen:
            errors.append(f"{metric.name}: two values for {_day(day)}; one value per date.")
        seen.add((metric.pk, day))
    reason = (reason or "").strip()
    if len(reason) > TEXT_LIMIT:
        errors.append(f"The reason is longer than {TEXT_LIMIT} characters.")
    if errors:
        raise MeasurementImportError(errors)
    entries = [
        (metric, day, _checked_value(value), _text(note, "note"), None, reason)
        for metric, day, value, note in rows
    ]
    return _write(entries, user=user, reason_required=True)
