"""Demo CIM work for the demo district: the team, a plan, monthly reviews with data."""

from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.utils import timezone

from meetings.models import Invitation, Meeting, MeetingStatus, MeetingType, Minutes
from plans.models import Activity, Outcome, PlanForImprovement, Strategy
from schoolplan.models import CimTeam, District, SchoolYear, User, default_dates

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


def _rating(overall):
    for floor, rating in (
        (80, "distinguished"),
        (62, "meets"),
        (50, "watch"),
        (42, "priority_watch"),
    ):
        if overall >= floor:
            return rating
    return "probation"


def _spf_row(index, shift):
    """Plausible, repeatable SPF numbers for the n-th school (shift 1: the year before)."""
    overall = Decimal(40 + (index * 7) % 45) - shift * (3, -2, 5, 1, -4)[index % 5]
    return {
        "rating": _rating(overall),
        "overall": overall,
        "growth": overall + (4 if shift == 0 else -1),
        "achievement": overall - 6,
        "gaps": overall - 2,
        "engagement": min(overall + 20, Decimal(96)),
    }


def build_demo_spf(today):
    """SPF results of the last two years for the demo district; Valdez's published summary;
    Valdez's upcoming community meetings for its family page."""
    from meetings import services as meeting_services
    from schoolplan.models import CpmStage

    from . import spf
    from .models import SpfResult

    district = District.objects.filter(slug="riverbend-usd").first()
    year = SchoolYear.objects.of_district_on(district.pk, today) if district else None
    if year is None:
        return 0
    previous, _ = SchoolYear.objects.get_or_create(
        district=district,
        start_year=year.start_year - 1,
        defaults=default_dates(year.start_year - 1),
    )
    created = 0
    for index, school in enumerate(district.schools.order_by("name")):
        for shift, when in ((0, year), (1, previous)):
            row = _spf_row(index, shift)
            if school.level != "high":
                row["postsecondary"] = None
            else:
                row["postsecondary"] = row["overall"] + 5
            _, new = SpfResult.objects.get_or_create(school=school, school_year=when, defaults=row)
            created += new
    valdez = district.schools.filter(name="Valdez Elementary").first()
    principal = User.objects.filter(username="principal").first()
    if valdez is None or principal is None:
        return created
    if not valdez.spf_summaries.filter(school_year=year).exists():
        result, before = spf.results_with_previous(valdez, year)
        texts = {code: spf.draft_text(valdez, year, result, before, code) for code in ("en", "es")}
        texts["en"] = texts["en"].replace(
            "…",
            "Our students are growing faster than last year, but fewer than a third meet the "
            "math standard in grades 3-5. This year we are bringing math talk into every "
            "classroom and inviting families to math nights.",
        )
        texts["es"] = texts["es"].replace(
            "…",
            "Nuestros estudiantes avanzan más rápido que el año pasado, pero menos de un "
            "tercio alcanza el estándar de matemáticas en 3.º a 5.º grado. Este año llevamos "
            "las conversaciones matemáticas a cada salón e invitamos a las familias a noches "
            "de matemáticas.",
        )
        summary = spf.save_texts(valdez, year, texts, user=principal)
        spf.publish(summary, user=principal)
        # As the principal did it: inside the sharing window, when the window has come.
        day = min(year.spf_sharing_opens + timedelta(days=5), today)
        summary.published_at = timezone.make_aware(datetime.combine(day, time(16, 0)))
        summary.save(update_fields=["published_at"])
        created += 1
    # An upcoming Check In, with Spanish interpretation, for the family page.
    check_in = year.cpm_window(CpmStage.CHECK_IN)
    day = max(today + timedelta(days=10), check_in.opens)
    if day <= check_in.closes and not valdez.meetings.filter(cpm_stage=CpmStage.CHECK_IN).exists():
        while day.weekday() >= 5:
            day += timedelta(days=1)
        start = timezone.make_aware(datetime.combine(day, time(17, 30)))
        meeting_services.schedule_cpm_meeting(
            user=principal,
            school=valdez,
            stage=CpmStage.CHECK_IN,
            starts_at=start,
            ends_at=start + timedelta(hours=1, minutes=30),
            place="Valdez Elementary cafeteria",
            languages=["en", "es"],
            title=f"Check In community meeting {year.name}",
        )
        created += 1
    return created


def build_demo_progress_report(today):
    """The demo district's first quarterly report, submitted, so its page shows a frozen one."""
    from . import reports
    from .models import RenderJob

    district = District.objects.filter(slug="riverbend-usd").first()
    year = SchoolYear.objects.of_district_on(district.pk, today) if district else None
    lead = User.objects.filter(username="cimlead").first()
    if year is None or lead is None:
        return 0
    dues = reports.ensure_due_dates(district, year)
    if not dues or dues[0].due_on >= today or dues[0].reports.exists():
        return 0
    report = reports.start_report(dues[0], user=lead)
    report.summary = (
        "The team met every month of the quarter. IEP timeliness rose to 90%; literacy "
        "coaching started in all grade 3-5 co-taught classrooms."
    )
    report.save()
    reports.sign_off(report, user=lead)
    job = RenderJob.objects.create(
        report=report, submit=True, content=reports.build_content(report), requested_by=lead
    )
    reports.run_job(job.pk)
    return 2
