from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from schoolplan.forms import show_errors
from schoolplan.permissions import COMMENT_CIM, EDIT_CIM_PLAN, VIEW_DISTRICT, can, require

from . import services
from .forms import ActivityForm, OutcomeForm, StrategyForm, TaSessionForm
from .models import Activity, Outcome, PlanForImprovement, Strategy

KINDS = {
    "strategy": (Strategy, StrategyForm),
    "activity": (Activity, ActivityForm),
    "outcome": (Outcome, OutcomeForm),
}


def _plan(request, pk):
    return get_object_or_404(
        PlanForImprovement.objects.visible_to(request.user).select_related(
            "district", "school_year"
        ),
        pk=pk,
    )


def _form(kind, plan, *args, **kwargs):
    model, form_class = KINDS[kind]
    if form_class is ActivityForm:
        kwargs["district"] = plan.district
    return form_class(*args, **kwargs)


def plan_detail(request, pk):
    plan = _plan(request, pk)
    activities = Activity.objects.select_related("owner").prefetch_related(
        Prefetch(
            "outcomes",
            Outcome.objects.select_related("metric").prefetch_related("metric__measurements"),
        )
    )
    strategies = plan.strategies.prefetch_related(Prefetch("activities", activities))
    return render(
        request,
        "plans/plan_detail.html",
        {
            "plan": plan,
            "strategies": strategies,
            "can_edit": can(request.user, EDIT_CIM_PLAN, plan),
            "can_comment": can(request.user, COMMENT_CIM, plan),
            "comments": plan.comments.filter(review__isnull=True).select_related("author"),
            "strategy_form": StrategyForm(prefix="new"),
        },
    )


def _parent(kind, plan, parent_pk):
    if kind == "strategy":
        return {"plan": plan}
    if kind == "activity":
        return {"strategy": get_object_or_404(Strategy, pk=parent_pk, plan=plan)}
    return {"activity": get_object_or_404(Activity, pk=parent_pk, strategy__plan=plan)}


@require_http_methods(["GET", "POST"])
def item_add(request, pk, kind, parent_pk=None):
    plan = _plan(request, pk)
    require(request.user, EDIT_CIM_PLAN, plan)
    if kind not in KINDS:
        raise Http404
    parent = _parent(kind, plan, parent_pk)
    form = _form(kind, plan, request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "expected_version"}
        try:
            services.add(KINDS[kind][0], user=request.user, **parent, **data)
        except ValidationError as error:
            show_errors(form, error)
        else:
            messages.success(request, f"{services.KIND[KINDS[kind][0]].capitalize()} added.")
            return redirect(plan)
    return render(
        request,
        "plans/item_form.html",
        {
            "plan": plan,
            "form": form,
            "kind": services.KIND[KINDS[kind][0]],
            "parent": next(iter(parent.values())),
        },
    )


def _item(plan, kind, item_pk):
    model = KINDS[kind][0]
    lookups = {
        "strategy": {"plan": plan},
        "activity": {"strategy__plan": plan},
        "outcome": {"activity__strategy__plan": plan},
    }[kind]
    return get_object_or_404(model, pk=item_pk, **lookups)


@require_http_methods(["GET", "POST"])
def item_edit(request, pk, kind, item_pk):
    plan = _plan(request, pk)
    require(request.user, EDIT_CIM_PLAN, plan)
    if kind not in KINDS:
        raise Http404
    item = _item(plan, kind, item_pk)
    form = _form(kind, plan, request.POST or None, instance=item)
    conflict = None
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "expected_version"}
        try:
            services.update(
                item,
                user=request.user,
                expected_version=form.cleaned_data["expected_version"],
                **data,
            )
        except services.EditConflict as error:
            conflict = error
            form.add_error(None, error)
            # The user may now save over the new version, having seen what changed.
            form.data = form.data.copy()
            form.data[form.add_prefix("expected_version")] = error.current.version
        except ValidationError as error:
            show_errors(form, error)
        else:
            messages.success(request, "Saved.")
            return redirect(plan)
    return render(
        request,
        "plans/item_form.html",
        {
            "plan": plan,
            "form": form,
            "kind": services.KIND[type(item)],
            "item": item,
            "conflict": conflict,
        },
    )


@require_POST
def item_remove(request, pk, kind, item_pk):
    plan = _plan(request, pk)
    require(request.user, EDIT_CIM_PLAN, plan)
    if kind not in KINDS:
        raise Http404
    item = _item(plan, kind, item_pk)
    if request.POST.get("confirm") != "on":
        messages.error(request, "Tick the box to confirm the removal.")
        return redirect("plan_item_edit", pk=plan.pk, kind=kind, item_pk=item.pk)
    services.remove(item, user=request.user)
    messages.success(request, f"Removed “{item}”.")
    return redirect(plan)


def plan_history(request, pk):
    plan = _plan(request, pk)
    page = Paginator(plan.changes.select_related("by"), 50).get_page(request.GET.get("page"))
    return render(request, "plans/plan_history.html", {"plan": plan, "page": page})


@require_http_methods(["GET", "POST"])
def ta_sessions(request, pk):
    plan = _plan(request, pk)
    if not plan.district.is_intensive:
        raise Http404("Only Intensive districts log TA sessions.")
    can_log = can(request.user, EDIT_CIM_PLAN, plan)
    form = TaSessionForm(request.POST or None, plan=plan)
    if request.method == "POST":
        require(request.user, EDIT_CIM_PLAN, plan)
        if form.is_valid():
            try:
                services.log_ta_session(plan, user=request.user, **form.cleaned_data)
            except ValidationError as error:
                show_errors(form, error)
            else:
                messages.success(request, "TA session logged.")
                return redirect("ta_sessions", pk=plan.pk)
    sessions = plan.ta_sessions.select_related("strategy")
    page = Paginator(sessions, 25).get_page(request.GET.get("page"))
    return render(
        request,
        "plans/ta_sessions.html",
        {
            "plan": plan,
            "page": page,
            "form": form,
            "can_log": can_log,
            "viewer": can(request.user, VIEW_DISTRICT, plan),
        },
    )
