"""What the school's plans add to its card on the home page."""

from django.urls import reverse

from schoolplan.attention import Item
from schoolplan.models import EssaDesignation, Role

from .models import EssaPlan, EssaPlanStatus


def plan_items(school, year, roles, today):
    items = []
    if Role.CADRE_MEMBER in roles:
        items.append(
            Item(
                "Family and Community Cadre: our vision, action plan, surveys and meetings.",
                "info",
                reverse("school_cadre", args=[school.pk]),
            )
        )
    if not roles & {Role.PRINCIPAL, Role.SCHOOL_STAFF} or not school.has_essa_designation:
        return items
    plan = EssaPlan.objects.filter(school=school, school_year=year).first()
    url = reverse("school_essa", args=[school.pk])
    # seed 002: only targeted-support schools have the May 15 deadline.
    due = (
        f", due {year.essa_plan_due:%-d %b %Y}"
        if school.essa_designation == EssaDesignation.TARGETED
        else ""
    )
    if plan is None:
        items.append(Item(f"ESSA action plan: not started yet{due}.", "warning", url))
    elif plan.status == EssaPlanStatus.DRAFT:
        items.append(Item(f"ESSA action plan: draft{due}.", "info", url))
    elif plan.status == EssaPlanStatus.RETURNED:
        items.append(Item(f"ESSA action plan: returned for changes{due}.", "danger", url))
    elif plan.status == EssaPlanStatus.SUBMITTED:
        late = " (late)" if plan.submitted_late else ""
        items.append(
            Item(f"ESSA action plan: submitted {plan.submitted_at:%-d %b %Y}{late}.", "info", url)
        )
    elif plan.status == EssaPlanStatus.ACCEPTED:
        items.append(Item("ESSA action plan: accepted by the district.", "success", url))
    return items
