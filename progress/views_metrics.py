"""A metric's page (trend chart, status and values) and recording measurements in bulk."""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.dateformat import format as format_date
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods, require_POST

from plans.documents import DOCUMENTS
from plans.services import document_of
from schoolplan import clock
from schoolplan.forms import DateInput
from schoolplan.permissions import can

from . import measurements as bulk
from .charts import trend_svg
from .forms import MeasurementForm
from .models import Measurement, Metric
from .status import AT_RISK_SHARE, Status, expected_on, status_of

DOCUMENT_TYPES = {document.model: document for document in DOCUMENTS.values()}
STATUS_CLASSES = {
    Status.ON_TRACK: "text-bg-success",
    Status.AT_RISK: "text-bg-warning",
    Status.OFF_TRACK: "text-bg-danger",
    Status.NO_DATA: "text-bg-light border",
}


def _metric(request, pk):
    """The metric, its plan and the plan's type; a 404 unless the user may read the plan."""
    metric = get_object_or_404(
        Metric.objects.select_related(
            "outcome__activity__strategy__plan__district",
            "activity__strategy__plan__district",
            "essa_plan__school",
            "blueprint__school",
            "initiative__blueprint__school",
            "goal__school",
            "goal__school_year",
        ),
        pk=pk,
    )
    document = document_of(metric, create=False)
    document_type = DOCUMENT_TYPES[type(document)]
    if not can(request.user, document_type.view, document):
        raise Http404("No such metric.")
    clock.activate(document)  # times of entry shown in the plan's district's zone
    return metric, document, document_type


def _may_measure(user, document_type, document):
    """Who records a metric's values also corrects and removes them: for a CIM metric the CIM
    team, for a school's plan its staff who write it."""
    return can(user, document_type.edit, document)


class RecordForm(MeasurementForm):
    reason = forms.CharField(
        label="Reason, if it replaces a value already recorded for that date",
        max_length=300,
        required=False,
    )


class CorrectForm(forms.Form):
    """Hand-read: the service checks the value and the reason together, and the form shows
    back exactly what was typed."""

    value = forms.CharField(label="Corrected value", required=False, max_length=40)
    note = forms.CharField(label="Note", required=False, max_length=300)
    reason = forms.CharField(
        label="Reason for the correction",
        required=False,
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Kept in the value's history with your name.",
    )


class RemoveForm(forms.Form):
    reason = forms.CharField(
        label="Reason for removing it",
        required=False,
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Kept in the value's history with your name.",
    )


def _with_history(metric):
    """Every version of the metric's values in one query: (current values newest first, each
    with .earlier; removed values newest first, likewise). A version's .why says why it was
    replaced: the next version's reason, or its removal's."""
    by_date = {}
    for version in (
        Measurement.history.filter(metric=metric)
        .select_related("recorded_by", "replaced_by")
        .order_by("date", "recorded_at", "pk")
    ):
        by_date.setdefault(version.date, []).append(version)
    current, removed = [], []
    for versions in by_date.values():
        for version, following in zip(versions, [*versions[1:], None], strict=True):
            version.why = version.removal_reason or (following.reason if following else "")
        last = versions[-1]
        last.earlier = versions[:-1]
        (current if last.replaced_at is None else removed).append(last)
    current.sort(key=lambda m: (m.date, m.pk), reverse=True)
    removed.sort(key=lambda m: (m.date, m.pk), reverse=True)
    return current, removed


def _detail(request, metric, document, document_type, *, form=None, status=200):
    values, removed = _with_history(metric)
    latest = values[0] if values else None
    state = status_of(metric, latest.value, latest.date) if latest else status_of(metric)
    today = clock.today(document)  # on track "as of" the plan's district's today
    return render(
        request,
        "progress/metric_detail.html",
        {
            "metric": metric,
            "document": document,
            "document_type": document_type,
            "chart": trend_svg(metric, values, chart_id=f"metric-{metric.pk}"),
            "page": Paginator(values, 50).get_page(request.GET.get("page")),
            "removed": removed,
            "latest": latest,
            "status": state,
            "status_class": STATUS_CLASSES[state],
            "expected_latest": expected_on(metric, latest.date) if latest else None,
            "expected_today": expected_on(metric, today),
            "at_risk_percent": int(AT_RISK_SHARE * 100),
            "can_measure": _may_measure(request.user, document_type, document),
            "form": form or RecordForm(prefix=f"m{metric.pk}", initial={"date": today}),
            "next": request.POST.get("next", ""),
        },
        status=status,
    )


def metric_detail(request, pk):
    metric, document, document_type = _metric(request, pk)
    return _detail(request, metric, document, document_type)


def _back(request, metric):
    back = request.POST.get("next", "")
    if back and url_has_allowed_host_and_scheme(back, allowed_hosts=None):
        return redirect(back)
    return redirect(reverse("metric_detail", args=[metric.pk]) + "#values")


@require_POST
def metric_measure(request, pk):
    """Record one value of a metric (from its page or from a plan's page). A date that has a
    value already is a correction of it and needs a reason; refused, the metric's page shows
    what was typed with the reason beside the field."""
    metric, document, document_type = _metric(request, pk)
    if not _may_measure(request.user, document_type, document):
        raise PermissionDenied("Only the plan's team records its measurements.")
    form = RecordForm(request.POST, prefix=f"m{metric.pk}")
    if form.is_valid():
        data = form.cleaned_data
        try:
            (saved,) = bulk.record_all(
                [(metric, data["date"], data["value"], data["note"])],
                user=request.user,
                reason=data["reason"],
            )
        except bulk.MeasurementImportError as error:
            form.add_error("reason", error.errors)
        except ValidationError as error:
            form.add_error(None, error.messages)
        else:
            shown = f"{saved.value.normalize():f}{metric.unit}"
            if saved.reason:
                messages.success(
                    request,
                    f"Corrected “{metric}” for {_day(data['date'])}: now {shown}; the earlier "
                    "value stays in its history.",
                )
            else:
                messages.success(request, f"Recorded {shown} for “{metric}”.")
            return _back(request, metric)
    return _detail(request, metric, document, document_type, form=form)


def _version(request, pk):
    """A version of a value (current or not) whose metric the user may correct: 404 if they may
    not see the metric, 403 if they may see but not record."""
    measurement = get_object_or_404(
        Measurement.history.select_related("recorded_by", "replaced_by"), pk=pk
    )
    metric, document, document_type = _metric(request, measurement.metric_id)
    if not _may_measure(request.user, document_type, document):
        raise PermissionDenied("Only the plan's team corrects its measurements.")
    measurement.metric = metric
    return measurement, metric, document, document_type


def _page(request, template, measurement, document, document_type, **context):
    current = (
        Measurement.objects.filter(metric_id=measurement.metric_id, date=measurement.date)
        .select_related("recorded_by")
        .first()
    )
    return render(
        request,
        template,
        {
            "measurement": measurement,
            "metric": measurement.metric,
            "document": document,
            "document_type": document_type,
            # Someone corrected or removed this version since the page that links here.
            "superseded_by": current if current != measurement else None,
            "is_stale": current != measurement,
            **context,
        },
    )


@require_http_methods(["GET", "POST"])
def measurement_correct(request, pk):
    """Correct a value: the new value and a reason; the earlier value stays in its history."""
    measurement, metric, document, document_type = _version(request, pk)
    conflict = None
    if request.method == "POST":
        form = CorrectForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                saved = bulk.correct_value(
                    measurement,
                    user=request.user,
                    value=data["value"],
                    note=data["note"],
                    reason=data["reason"],
                )
            except bulk.StaleMeasurement as stale:
                conflict = stale
            except ValidationError as error:
                _add_errors(form, error)
            else:
                messages.success(
                    request,
                    f"Corrected the value for {_day(saved.date)}: now "
                    f"{saved.value.normalize():f}{metric.unit}. The earlier value stays in its "
                    "history.",
                )
                return redirect(reverse("metric_detail", args=[metric.pk]) + "#values")
    else:
        form = CorrectForm(
            initial={"value": f"{measurement.value.normalize():f}", "note": measurement.note}
        )
    return _page(
        request,
        "progress/measurement_correct.html",
        measurement,
        document,
        document_type,
        form=form,
        conflict=conflict,
    )


@require_http_methods(["GET", "POST"])
def measurement_remove(request, pk):
    """Remove a value, after a confirmation and with a reason; it stays in the history."""
    measurement, metric, document, document_type = _version(request, pk)
    conflict = None
    form = RemoveForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            bulk.remove_value(measurement, user=request.user, reason=form.cleaned_data["reason"])
        except bulk.StaleMeasurement as stale:
            conflict = stale
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(
                request,
                f"Removed the value for {_day(measurement.date)}; it stays in the history.",
            )
            return redirect(reverse("metric_detail", args=[metric.pk]) + "#values")
    return _page(
        request,
        "progress/measurement_remove.html",
        measurement,
        document,
        document_type,
        form=form,
        conflict=conflict,
    )


def _day(day):
    return format_date(day, "j M Y")


def _add_errors(form, error):
    if hasattr(error, "error_dict"):
        for field, problems in error.message_dict.items():
            form.add_error(field if field in form.fields else None, problems)
    else:
        form.add_error(None, error.messages)


class ImportForm(forms.Form):
    file = forms.FileField(
        label="CSV file",
        help_text="UTF-8 CSV with the columns metric, date, value, note (note optional); "
        "metric is the metric's number or exact name.",
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
    )


@require_http_methods(["GET", "POST"])
def measurements_bulk(request, doc, pk):
    """Every metric of a plan on one page: a value for each, saved all together or not at all;
    or a CSV file of measurements, checked row by row before anything is saved."""
    if doc not in ("cim/plans", "essa", "blueprints"):
        raise Http404
    document_type = DOCUMENTS[doc]
    document = document_type.get_visible_or_404(request.user, pk)
    if not _may_measure(request.user, document_type, document):
        raise PermissionDenied("Only the plan's team records its measurements.")
    metrics = list(bulk.metrics_of(document).prefetch_related("measurements"))
    today = clock.today(document)
    problems, entered, reason = [], {}, ""
    import_form = ImportForm()
    if request.method == "POST" and request.POST.get("action") == "import":
        import_form = ImportForm(request.POST, request.FILES)
        if import_form.is_valid():
            upload = import_form.cleaned_data["file"]
            try:
                rows = bulk.read_csv(upload.read(bulk.MAX_BYTES + 1), metrics)
                # A row for a date that has a value already corrects it; the file says why.
                bulk.record_all(rows, user=request.user, reason=f"imported from {upload.name}")
            except ValidationError as error:
                problems = _problems(error)
            else:
                messages.success(request, f"Imported {len(rows)} measurements.")
                return redirect(document)
    elif request.method == "POST":
        rows, errors = [], []
        reason = request.POST.get("reason", "").strip()
        for metric in metrics:
            value = request.POST.get(f"value-{metric.pk}", "").strip()
            day = request.POST.get(f"date-{metric.pk}", "").strip()
            note = request.POST.get(f"note-{metric.pk}", "").strip()
            entered[metric.pk] = {"value": value, "date": day, "note": note}
            if not value:
                continue  # no value for this metric this time
            try:
                rows.append((metric, bulk.parse_date(day), bulk.parse_value(value), note[:300]))
            except ValueError as error:
                errors.append(f"{metric.name}: {error}.")
        if not rows and not errors:
            errors.append("Enter at least one value.")
        try:
            if errors:
                raise bulk.MeasurementImportError(errors)
            bulk.record_all(rows, user=request.user, reason=reason)
        except ValidationError as error:
            problems = _problems(error)
        else:
            messages.success(request, f"Recorded {len(rows)} measurements.")
            return redirect(document)
    for metric in metrics:
        metric.entered = entered.get(metric.pk, {"date": today.isoformat()})
    return render(
        request,
        "progress/measurements_bulk.html",
        {
            "document": document,
            "document_type": document_type,
            "metrics": metrics,
            "problems": problems,
            "import_form": import_form,
            "reason": reason,
            "date_widget": DateInput(),
        },
    )


def _problems(error):
    """The lines of the problem box: its lead line first."""
    if isinstance(error, bulk.MeasurementImportError):
        return error.messages
    return [bulk.MeasurementImportError.lead, *error.messages]
