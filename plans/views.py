from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods

from schoolplan import clock
from schoolplan.forms import show_errors
from schoolplan.models import CimTeam
from schoolplan.next_year import year_name
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


def _numbered(items, prefix):
    """Number the plan's analysis items as the page shows them: F1, R1, P1…"""
    codes = {}
    for number, item in enumerate(items, 1):
        item.code = codes[item.pk] = f"{prefix}{number}"
    return codes


def _label_links(items, name, codes):
    # The linked items were prefetched: label those very objects for the template.
    for item in items:
        for linked in getattr(item, name).all():
            linked.code = codes.get(linked.pk, "")


def plan_detail(request, pk):
    plan = _plan(request, pk)
    activities = Activity.objects.select_related("owner").prefetch_related(
        Prefetch(
            "outcomes",
            # Last year's outcome and metric too: an outcome is followed across years.
            Outcome.objects.select_related("metric", "carried_from__metric").prefetch_related(
                "metric__measurements", "carried_from__metric__measurements"
            ),
        ),
        "metrics__measurements",  # progress's metrics on activities, by their related name
    )
    strategies = list(
        plan.strategies.prefetch_related(
            Prefetch("activities", activities), "root_causes", "problem_statements"
        )
    )
    findings = list(plan.findings.all())
    causes = list(plan.root_causes.prefetch_related("findings"))
    problems = list(plan.problem_statements.prefetch_related("root_causes"))
    finding_codes = _numbered(findings, "F")
    cause_codes = _numbered(causes, "R")
    problem_codes = _numbered(problems, "P")
    _label_links(causes, "findings", finding_codes)
    _label_links(problems, "root_causes", cause_codes)
    _label_links(strategies, "root_causes", cause_codes)
    _label_links(strategies, "problem_statements", problem_codes)
    return render(
        request,
        "plans/plan_detail.html",
        {
            "plan": plan,
            "strategies": strategies,
            "findings": findings,
            "root_causes": causes,
            "problem_statements": problems,
            "last_year_name": year_name(plan.school_year.start_year - 1),
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
    team = CimTeam.objects.filter(district=plan.district, school_year=plan.school_year).first()
    form = TaSessionForm(
        request.POST or None,
        plan=plan,
        # The year's team names its TA provider: the usual choice.
        default_provider=team.ta_provider if team else None,
        today=clock.today(plan.district),
    )
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
    sessions = plan.ta_sessions.select_related("strategy", "provider_account")
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
