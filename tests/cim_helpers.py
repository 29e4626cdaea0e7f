from datetime import timedelta
from decimal import Decimal

import time_machine

from meetings import cim_reviews
from plans import carry_over as plan_carry_over
from plans import services as plan_services
from plans.models import Activity, Outcome, Strategy
from progress.models import Metric
from progress.reports import periods, workflow
from schoolplan.models import CimTeam, Role

from .clock import on
from .factories import member
from .meeting_helpers import at


def make_plan(district, year, user):
    plan = plan_carry_over.start_plan(district=district, year=year, user=user)
    strategy = plan_services.add(Strategy, user=user, plan=plan, title="Tier 1 literacy")
    activity = plan_services.add(Activity, user=user, strategy=strategy, title="Coach co-teachers")
    outcome = plan_services.add(Outcome, user=user, activity=activity, description="IEP benchmark")
    metric = Metric.objects.create(
        outcome=outcome,
        name="At benchmark",
        unit="%",
        baseline=Decimal("18"),
        target=Decimal("30"),
        target_date=on(6, 1),
    )
    return plan, activity, metric


def review_on(district, user, day, hour=15):
    """A review scheduled ahead, as a team does: the day before it, whatever the test's date
    (one dated in a month already over would be a late record,
    tests/meetings/test_cim_notifications)."""
    start = at(day, hour)
    with time_machine.travel(start - timedelta(days=1)):
        return cim_reviews.schedule_review(
            user=user,
            district=district,
            starts_at=start,
            ends_at=start + timedelta(hours=1),
            place="Room 2",
        )


def submittable_report(district, year, clock, number=1):
    """Quarter number's CIM progress report, written and signed off by the district's lead on
    5 October (after quarter 1) with the routing addresses in place: ready to submit."""
    district.selpa_name = "Riverbend SELPA"
    district.selpa_contact_email = "selpa@example.org"
    district.cde_consultant_email = "consultant@cde.example.gov"
    district.save()
    lead = member(Role.CIM_LEAD, district)
    lead.email = f"lead-{district.pk}@example.org"
    lead.save()
    team = CimTeam.objects.create(district=district, school_year=year, lead=lead)
    team.members.add(lead)
    clock.set(on(8, 20))
    plan, _, _ = make_plan(district, year, lead)
    plan_services.add(Strategy, user=lead, plan=plan, title="Family participation in IEPs")
    clock.set(on(10, 5))
    due = next(d for d in periods.ensure_due_dates(district, year) if d.number == number)
    report = workflow.start_report(due, user=lead)
    return workflow.sign_off(report, user=lead), lead
