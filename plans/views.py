from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods

from schoolplan.forms import show_errors
from schoolplan.permissions import COMMENT_CIM, EDIT_CIM_PLAN, VIEW_DISTRICT, can, require

from . import services
from .forms import StrategyForm, TaSessionForm
from .models import Activity, Outcome, PlanForImprovement


def _plan(request, pk):
    return get_object_or_404(
        PlanForImprovement.objects.visible_to(request.user).select_related(
            "district", "school_year"
        ),
        pk=pk,
    )


def plan_detail(request, pk):
    plan = _plan(request, pk)
    activities = Activity.objects.select_related("owner").prefetch_related(
        Prefetch(
            "outcomes",
            Outcome.objects.select_related("metric").prefetch_related("metric__measurements"),
        ),
        "metrics__measurements",  # progress's metrics on activities, by their related name
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
