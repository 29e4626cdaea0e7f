"""A metric's page (trend chart, status and values) and recording measurements in bulk."""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods, require_POST

from plans.documents import DOCUMENTS
from plans.services import document_of
from schoolplan import clock
from schoolplan.forms import DateInput
from schoolplan.permissions import can

from . import measurements as bulk
from . import services
from .charts import trend_svg
from .forms import MeasurementForm
from .models import Metric
from .status import AT_RISK_SHARE, Status, expected_on

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
    return metric, document, document_type


def _may_measure(user, document_type, document):
    return can(user, document_type.edit, document)


def metric_detail(request, pk):
    metric, document, document_type = _metric(request, pk)
    values = list(metric.measurements.select_related("recorded_by").order_by("-date", "-pk"))
    latest = values[0] if values else None
    status = metric.status
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
            "latest": latest,
            "status": status,
            "status_class": STATUS_CLASSES[status],
            "expected_latest": expected_on(metric, latest.date) if latest else None,
            "expected_today": expected_on(metric, today),
            "at_risk_percent": int(AT_RISK_SHARE * 100),
            "can_measure": _may_measure(request.user, document_type, document),
            "form": MeasurementForm(prefix=f"m{metric.pk}", initial={"date": today}),
        },
    )


@require_POST
def metric_measure(request, pk):
    """Record one value of a metric (from its page or from a plan's page)."""
    metric, document, document_type = _metric(request, pk)
    if not _may_measure(request.user, document_type, document):
        raise PermissionDenied("Only the plan's team records its measurements.")
    form = MeasurementForm(request.POST, prefix=f"m{metric.pk}")
    if form.is_valid():
        services.record_measurement(metric, user=request.user, **form.cleaned_data)
        messages.success(request, f"Recorded {form.cleaned_data['value']} for “{metric}”.")
    else:
        messages.error(
            request,
            "Not recorded: "
            + " ".join(f"{form[f].label}: {' '.join(e)}" for f, e in form.errors.items()),
        )
    back = request.POST.get("next", "")
    if back and url_has_allowed_host_and_scheme(back, allowed_hosts=None):
        return redirect(back)
    return redirect("metric_detail", pk=metric.pk)


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
    problems, entered = [], {}
    import_form = ImportForm()
    if request.method == "POST" and request.POST.get("action") == "import":
        import_form = ImportForm(request.POST, request.FILES)
        if import_form.is_valid():
            try:
                rows = bulk.read_csv(
                    import_form.cleaned_data["file"].read(bulk.MAX_BYTES + 1), metrics
                )
                bulk.record_all(rows, user=request.user)
            except ValidationError as error:
                problems = error.messages
            else:
                messages.success(request, f"Imported {len(rows)} measurements.")
                return redirect(document)
    elif request.method == "POST":
        rows, errors = [], []
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
        if errors:
            problems = ["Nothing was saved. Fix these and try again.", *errors]
        else:
            bulk.record_all(rows, user=request.user)
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
            "date_widget": DateInput(),
        },
    )
