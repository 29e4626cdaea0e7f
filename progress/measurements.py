"""Recording measurements in bulk: a form row per metric, or a CSV file. Both check everything
first and write in one transaction: any error and nothing is saved.

The CSV: UTF-8, a header row `metric,date,value,note`; `metric` is the metric's number (shown on
its page) or its exact name; `date` is YYYY-MM-DD; `value` a number; `note` optional.
"""

from datetime import date as date_type
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.db.models import Q

from plans.models import Blueprint, EssaPlan, PlanForImprovement
from schoolplan.csvfiles import CsvImportError, data_rows, read_rows

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
                f"Row 1: the columns must be {', '.join(HEADER)} (note is optional), not "
                f"{', '.join(header) or 'nothing'}."
            ]
        )
    by_id = {str(metric.pk): metric for metric in metrics}
    by_name = {}
    for metric in metrics:
        by_name.setdefault(metric.name.strip().lower(), []).append(metric)
    body = data_rows(rows)
    if not body:
        raise MeasurementImportError(["The file has a header but no measurements."])
    if len(body) > MAX_ROWS:
        raise MeasurementImportError([f"The file has more than {MAX_ROWS} rows."])
    errors, parsed = [], []
    for number, row in body:
        if len(row) not in (3, 4) or len(row) > len(header):
            errors.append(f"Row {number}: it has {len(row)} values; the header has {len(header)}.")
            continue
        key = row[0].strip()
        metric = by_id.get(key)
        if metric is None:
            named = by_name.get(key.lower(), [])
            if len(named) == 1:
                metric = named[0]
            elif len(named) > 1:
                errors.append(
                    f"Row {number}, column metric: two metrics are called “{key[:60]}”; use "
                    "the metric's number."
                )
                continue
            else:
                errors.append(f"Row {number}, column metric: no metric “{key[:60]}” in this plan.")
                continue
        problems = []
        try:
            day = parse_date(row[1])
        except ValueError as error:
            problems.append(f"Row {number}, column date: {error}.")
        try:
            value = parse_value(row[2])
        except ValueError as error:
            problems.append(f"Row {number}, column value: {error}.")
        note = row[3].strip() if len(row) == 4 else ""
        if len(note) > 300:
            problems.append(f"Row {number}, column note: longer than 300 characters.")
        if problems:
            errors.extend(problems)
            continue
        parsed.append((metric, day, value, note))
    if errors:
        raise MeasurementImportError(errors)
    return parsed


@transaction.atomic
def record_all(rows, *, user):
    """Save [(metric, date, value, note)] in one transaction."""
    measurements = [
        Measurement(metric=metric, date=day, value=value, note=note, recorded_by=user)
        for metric, day, value, note in rows
    ]
    for measurement in measurements:
        measurement.full_clean(exclude=["metric", "review", "recorded_by"])
    created = Measurement.objects.bulk_create(measurements)
    # bulk_create sends no post_save: tell the family pages of the schools concerned.
    for school_id in {school_of_metric(metric) for metric, *_ in rows} - {None}:
        transaction.on_commit(lambda school_id=school_id: forget_family_page(school_id))
    return created
