"""Demo CIM work for the demo district: the team, a plan, monthly reviews with data."""

from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.utils import timezone

from meetings.models import Invitation, Meeting, MeetingStatus, MeetingType, Minutes
from plans.models import Activity, Outcome, PlanForImprovement, Strategy
from schoolplan.models import CimTeam, District, SchoolYear, User

from .models import ActivityReview, Measurement, Metric

PLAN = [
    (
        "Strengthen Tier 1 literacy instruction for students with disabilities",
        [
            (
                "Coach co-teaching pairs in grades 3–5 on the structured literacy block",
                "in_progress",
                "Students with IEPs at benchmark in reading",
                ("Students with IEPs at benchmark", "%", "18", "30", [19, 21, 23]),
            ),
        ],
    ),
    (
        "Improve IEP timeliness and family participation",
        [
            (
                "Weekly case-manager check of IEP due dates",
                "implemented",
                "Annual IEPs held on time",
                ("IEPs on time", "%", "82", "98", [86, 90, 93]),
            ),
            (
                "Offer interpreters and evening slots for IEP meetings",
                "in_progress",
                "Families attending their child's IEP meeting",
                ("Family attendance", "%", "64", "85", [66, 70, 72]),
            ),
        ],
    ),
]


def _third_thursday(year, month):
    day = date(year, month, 15)
    return day + timedelta(days=(3 - day.weekday()) % 7)


def build_demo_cim(today):
    district = District.objects.filter(slug="riverbend-usd").first()
    if district is None:
        return 0
    year = SchoolYear.objects.of_district_on(district, today)
    if (
        year is None
        or PlanForImprovement.objects.filter(district=district, school_year=year).exists()
    ):
        return 0
    lead = User.objects.get(username="cimlead")
    members = list(User.objects.filter(username__in=["cimmember", "principal"]))
    team = CimTeam.objects.create(
        district=district,
        school_year=year,
        lead=lead,
        ta_provider=User.objects.get(username="taprovider"),
    )
    team.members.set(members)
    plan = PlanForImprovement.objects.create(district=district, school_year=year)
    metrics = []
    for position, (strategy_title, activities) in enumerate(PLAN, 1):
        strategy = Strategy.objects.create(plan=plan, position=position, title=strategy_title)
        for title, status, outcome_text, (name, unit, base, target, values) in activities:
            activity = Activity.objects.create(
                strategy=strategy,
                title=title,
                owner=lead,
                starts_on=year.starts_on,
                ends_on=year.ends_on,
                status=status,
            )
            outcome = Outcome.objects.create(activity=activity, description=outcome_text)
            metric = Metric.objects.create(
                outcome=outcome,
                name=name,
                unit=unit,
                baseline=Decimal(base),
                target=Decimal(target),
                target_date=year.ends_on.replace(day=1, month=6),
            )
            metrics.append((activity, metric, values))
    # Reviews every month so far, but August was missed: the strip shows one gap.
    months = (date(year.start_year, m, 1) for m in (7, 9, 10, 11, 12))
    for held, month_start in enumerate(months):
        day = _third_thursday(month_start.year, month_start.month)
        if day >= today:
            break
        starts = timezone.make_aware(datetime.combine(day, time(15, 0)))
        review = Meeting.objects.create(
            district=district,
            host_kind="district",
            school_year=year,
            meeting_type=MeetingType.CIM_REVIEW,
            title=f"CIM monthly review – {day:%B %Y}",
            starts_at=starts,
            ends_at=starts + timedelta(minutes=90),
            place="District office, room 2",
            status=MeetingStatus.HELD,
        )
        Invitation.objects.bulk_create(
            Invitation(meeting=review, user=person, attended=True) for person in team.people
        )
        Minutes.objects.create(meeting=review, text="Reviewed each strategy.", recorded_by=lead)
        for activity, metric, values in metrics:
            ActivityReview.objects.create(
                review=review, activity=activity, status=activity.status, recorded_by=lead
            )
            if held < len(values):
                Measurement.objects.create(
                    metric=metric, date=day, value=Decimal(values[held]), review=review
                )
    return 1


def build_demo_school_metrics(today):
    """The Valdez ESSA plan's leading and lagging metrics, and its goals' and Blueprint's."""
    from meetings.models import Goal, GoalArea
    from plans.models import Blueprint, EssaPlan

    plan = EssaPlan.objects.filter(school__name="Valdez Elementary").order_by("-pk").first()
    if plan is None or plan.metrics.exists():
        return 0
    year = plan.school_year
    end = year.ends_on - timedelta(days=20)
    principal = User.objects.get(username="principal")
    specs = [
        (
            {"essa_plan": plan, "kind": "lagging"},
            "Grade 3-5 students meeting the math standard",
            "%",
            "31",
            "40",
            [],
        ),
        (
            {"essa_plan": plan, "kind": "leading"},
            "Lessons with students explaining reasoning",
            "%",
            "27",
            "75",
            [40, 52],
        ),
    ]
    blueprint = Blueprint.objects.filter(school=plan.school, school_year=year).first()
    if blueprint is not None:
        specs.append(
            (
                {"blueprint": blueprint, "kind": "leading", "area": GoalArea.MATH},
                "Interim math assessment: students at benchmark",
                "%",
                "28",
                "40",
                [31, 34],
            )
        )
    goal = Goal.objects.filter(school=plan.school, school_year=year, area=GoalArea.MATH).first()
    if goal is not None:
        specs.append(({"goal": goal}, "Grade 3-5 math proficiency", "%", "31", "40", [33]))
    created = 0
    for owner, name, unit, baseline, target, values in specs:
        metric = Metric.objects.create(
            **owner,
            name=name,
            unit=unit,
            baseline=Decimal(baseline),
            target=Decimal(target),
            target_date=end,
        )
        for months, value in enumerate(values, 1):
            day = min(year.starts_on + timedelta(days=60 + 30 * months), today)
            Measurement.objects.create(
                metric=metric, date=day, value=Decimal(value), recorded_by=principal
            )
        created += 1 + len(values)
    return created
