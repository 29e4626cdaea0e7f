"""Metrics as items of the school plans: the ESSA plan's leading and lagging metrics, the
Blueprint's leading measures by area, and the metrics of the school's goals. Registered with
plans (which cannot import progress) so they share its item views, history and locking."""

from plans import carry_over
from plans import services as plan_services
from plans.documents import BLUEPRINT, CIM, ESSA, Kind

from .models import Metric, MetricKind
from .plan_carry_over import carry_metrics

METRIC_FIELDS = [
    "name",
    "unit",
    "baseline",
    "baseline_date",
    "target",
    "target_date",
    "direction",
]
HELP = {
    "baseline": "Where it stands at the start.",
    "target": "Where it should be by the target date.",
}


def _area_required(form, document):
    form.fields["area"].required = True


def register():
    plan_services.track(Metric, ["name", "kind", "area", *METRIC_FIELDS[1:]], "metric")
    carry_over.register(carry_metrics)  # a plan started from last year's keeps its metrics
    ESSA.kinds["metric"] = Kind(
        Metric,
        ["name", "kind", *METRIC_FIELDS[1:]],
        within=lambda plan: {"essa_plan": plan},
        given=lambda plan, parent: {"essa_plan": plan},
        help_texts={
            "kind": "Leading: moves early and can be acted on (e.g. attendance). Lagging: the "
            "outcome itself (e.g. the state test).",
            **HELP,
        },
    )
    BLUEPRINT.kinds["measure"] = Kind(
        Metric,
        ["area", *METRIC_FIELDS],
        within=lambda blueprint: {"blueprint": blueprint},
        given=lambda blueprint, parent: {"blueprint": blueprint, "kind": MetricKind.LEADING},
        labels={"name": "Leading measure"},
        help_texts=HELP,
        limit=_area_required,
        title="leading measure",
    )
    BLUEPRINT.kinds["goal-metric"] = Kind(
        Metric,
        METRIC_FIELDS,
        within=lambda blueprint: {
            "goal__school": blueprint.school,
            "goal__school_year": blueprint.school_year,
        },
        given=lambda blueprint, goal: {"goal": goal},
        parent="goal",
        parent_kind="goal",
        help_texts=HELP,
        title="goal's metric",
    )
    BLUEPRINT.kinds["initiative-metric"] = Kind(
        Metric,
        ["kind", *METRIC_FIELDS],
        within=lambda blueprint: {"initiative__blueprint": blueprint},
        given=lambda blueprint, initiative: {"initiative": initiative},
        parent="initiative",
        parent_kind="initiative",
        help_texts=HELP,
        title="initiative's metric",
    )
    CIM.kinds["activity-metric"] = Kind(
        Metric,
        ["kind", *METRIC_FIELDS],
        within=lambda plan: {"activity__strategy__plan": plan},
        given=lambda plan, activity: {"activity": activity},
        parent="activity",
        parent_kind="activity",
        help_texts=HELP,
        title="activity's metric",
    )
