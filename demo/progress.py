"""Demo progress records, around each district's today (demo.days): Riverbend's CIM team,
plan and monthly reviews, last year's and this year's; the Valdez plans' metrics; SPF results of
both years with a published family summary, in Riverbend and in Lakeside (Colorado); the first
CIM progress report once it is due."""

from datetime import date, timedelta
from decimal import Decimal

from demo.days import demo_years
from demo.meetings import GOALS
from demo.plans import build_cim_analysis
from meetings.models import (
    FAMILY_MEETING_TYPES,
    Invitation,
    Meeting,
    MeetingStatus,
    MeetingType,
    Minutes,
)
from plans.models import Activity, Outcome, PlanForImprovement, Strategy
from progress.models import ActivityReview, FamilyReply, Measurement, Metric, SpfResult
from schoolplan import clock
from schoolplan.models import CimTeam, District, School, SchoolYear, User

# Each metric's value at the year's successive reviews.
PLAN = [
    (
        "Strengthen Tier 1 literacy instruction for students with disabilities",
        [
            (
                "Coach co-teaching pairs in grades 3–5 on the structured literacy block",
                "in_progress",
                "Students with IEPs at benchmark in reading",
                (
                    "Students with IEPs at benchmark",
                    "%",
                    "18",
                    "30",
                    [19, 21, 23, 23, 24, 26, 27, 27, 28, 29, 30],
                ),
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
                ("IEPs on time", "%", "82", "98", [86, 90, 93, 92, 94, 95, 95, 96, 97, 97, 98]),
            ),
            (
                "Offer interpreters and evening slots for IEP meetings",
                "in_progress",
                "Families attending their child's IEP meeting",
                (
                    "Family attendance",
                    "%",
                    "64",
                    "85",
                    [66, 70, 72, 71, 74, 76, 77, 79, 80, 82, 83],
                ),
            ),
        ],
    ),
]

# The team reviews every month of the school year but missed August: the strip shows one gap.
REVIEW_MONTHS = (7, 9, 10, 11, 12, 1, 2, 3, 4, 5, 6)


def _third_thursday(year, month):
    day = date(year, month, 15)
    return day + timedelta(days=(3 - day.weekday()) % 7)


def _cim_plan(district, year, lead):
    """The year's team and plan; [(activity, metric, values)] in the plan's order."""
    team, created = CimTeam.objects.get_or_create(
        district=district,
        school_year=year,
        defaults={"lead": lead, "ta_provider": User.objects.get(username="taprovider")},
    )
    if created:
        team.members.set(User.objects.filter(username__in=["cimmember", "principal"]))
    plan, created = PlanForImprovement.objects.get_or_create(district=district, school_year=year)
    values = [spec[4] for _, activities in PLAN for *_, spec in activities]
    if not created:
        metrics = Metric.objects.filter(outcome__activity__strategy__plan=plan).select_related(
            "outcome__activity"
        )
        return team, [
            (metric.outcome.activity, metric, values[n])
            for n, metric in enumerate(metrics.order_by("pk"))
        ]
    metrics = []
    for position, (strategy_title, activities) in enumerate(PLAN, 1):
        strategy = Strategy.objects.create(plan=plan, position=position, title=strategy_title)
        for title, status, outcome_text, (name, unit, base, target, steps) in activities:
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
            metrics.append((activity, metric, steps))
    build_cim_analysis(plan)  # the data analysis behind it, continuing last year's
    return team, metrics


def _reviews(district, year, team, metrics, today):
    """The monthly reviews held before today, each found again by its title."""
    lead = team.lead
    created = 0
    for held, month in enumerate(REVIEW_MONTHS):
        day = _third_thursday(year.start_year + (month < 7), month)
        if day >= today:
            break
        title = f"CIM monthly review – {day:%B %Y}"
        if Meeting.objects.filter(district=district, title=title).exists():
            continue
        starts = clock.at(day, "15:00", district)
        review = Meeting.objects.create(
            district=district,
            host_kind="district",
            school_year=year,
            meeting_type=MeetingType.CIM_REVIEW,
            title=title,
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
            Measurement.objects.create(
                metric=metric, date=day, value=Decimal(values[held]), review=review
            )
        created += 1
    return created


def build_demo_cim():
    """Riverbend's CIM work of last year (every review held) and of this year so far."""
    district = District.objects.filter(slug="riverbend-usd").first()
    lead = User.objects.filter(username="cimlead").first()
    if district is None or lead is None:
        return 0
    today = clock.today(district)
    created = 0
    for year in demo_years(district):
        if year is None:
            continue
        team, metrics = _cim_plan(district, year, lead)
        created += _reviews(district, year, team, metrics, today)
    return created


def build_demo_school_metrics():
    """The Valdez ESSA plan's leading and lagging metrics, and its goals' and Blueprint's."""
    from meetings.models import Goal, GoalArea
    from plans.models import Blueprint, EssaPlan

    plan = (
        EssaPlan.objects.filter(school__name="Valdez Elementary")
        .select_related("school__district", "school_year")
        .order_by("-pk")
        .first()
    )
    if plan is None or plan.metrics.exists():
        return 0
    year = plan.school_year
    today = clock.today(plan.school.district)
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
            day = year.starts_on + timedelta(days=60 + 30 * months)
            if day >= today:  # measured later in the year
                break
            Measurement.objects.create(
                metric=metric, date=day, value=Decimal(value), recorded_by=principal
            )
            created += 1
        created += 1
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


# Each district's school that has published its family summary, and its principal.
SPF_SUMMARIES = {
    "riverbend-usd": ("Valdez Elementary", "principal"),
    "lakeside-sd": ("Lakeside Elementary", "principal.lakeside"),
}

SUMMARY_TEXTS = {
    "Valdez Elementary": {
        "en": "Our students are growing faster than last year, but fewer than a third meet the "
        "math standard in grades 3-5. This year we are bringing math talk into every "
        "classroom and inviting families to math nights.",
        "es": "Nuestros estudiantes avanzan más rápido que el año pasado, pero menos de un "
        "tercio alcanza el estándar de matemáticas en 3.º a 5.º grado. Este año llevamos "
        "las conversaciones matemáticas a cada salón e invitamos a las familias a noches "
        "de matemáticas.",
    },
    "Lakeside Elementary": {
        "en": "Reading scores rose in every grade. Attendance is our concern: one student in "
        "five missed more than 10% of school days, so this year we call families after the "
        "second absence.",
        "es": "Los resultados de lectura subieron en todos los grados. Nos preocupa la "
        "asistencia: uno de cada cinco estudiantes faltó más del 10% de los días, así que "
        "este año llamamos a las familias después de la segunda ausencia.",
    },
}


def _spf_results(district, years):
    created = 0
    for index, school in enumerate(district.schools.order_by("name")):
        for shift, when in enumerate(years):
            row = _spf_row(index, shift)
            row["postsecondary"] = row["overall"] + 5 if school.level == "high" else None
            _, new = SpfResult.objects.get_or_create(school=school, school_year=when, defaults=row)
            created += new
    return created


def _family_summary(school, year, principal, today):
    """The school's family summary for the year, published in its SPF sharing window (or
    today, if the window opened today)."""
    from progress import spf

    if school.spf_summaries.filter(school_year=year).exists():
        return 0
    result, before = spf.results_with_previous(school, year)
    texts = {code: spf.draft_text(school, year, result, before, code) for code in ("en", "es")}
    for code, text in SUMMARY_TEXTS[school.name].items():
        texts[code] = texts[code].replace("…", text)
    summary = spf.save_texts(school, year, texts, user=principal)
    spf.publish(summary, user=principal)
    # As the principal did it: inside the sharing window, by today.
    day = min(year.spf_sharing_opens + timedelta(days=5), today)
    summary.published_at = min(clock.at(day, "16:00", school.district), clock.now())
    summary.save(update_fields=["published_at"])
    return 1


def build_demo_spf():
    """SPF results of this year and last for each demo district, and a school's family
    summary of the latest year whose sharing window has opened (last year's, in the summer)."""
    created = 0
    for slug, (school_name, username) in SPF_SUMMARIES.items():
        district = District.objects.filter(slug=slug).first()
        previous, year = demo_years(district) if district else (None, None)
        if year is None or previous is None:
            continue
        created += _spf_results(district, (year, previous))
        school = School.objects.filter(district=district, name=school_name).first()
        principal = User.objects.filter(username=username).first()
        if school is None or principal is None:
            continue
        today = clock.today(district)
        shared = year if today >= year.spf_sharing_opens else previous
        created += _family_summary(school, shared, principal, today)
    return created


def build_demo_progress_report():
    """The demo district's first quarterly report, submitted, so its page shows a frozen one."""
    from progress.models import RenderJob
    from progress.reports import content as report_content
    from progress.reports import periods as report_periods
    from progress.reports import render as report_render
    from progress.reports import workflow as report_workflow

    district = District.objects.filter(slug="riverbend-usd").first()
    today = clock.today(district) if district else None
    year = SchoolYear.objects.of_district_on(district.pk, today) if district else None
    lead = User.objects.filter(username="cimlead").first()
    if year is None or lead is None:
        return 0
    dues = report_periods.ensure_due_dates(district, year)
    if not dues or dues[0].due_on >= today or dues[0].reports.exists():
        return 0
    report = report_workflow.start_report(dues[0], user=lead)
    report.summary = (
        "The team met every month of the quarter. IEP timeliness rose to 90%; literacy "
        "coaching started in all grade 3-5 co-taught classrooms."
    )
    report.save()
    report_workflow.sign_off(report, user=lead)
    job = RenderJob.objects.create(
        report=report, submit=True, content=report_content.build_content(report), requested_by=lead
    )
    report_render.run_job(job.pk)
    return 2


# Families' answers to Valdez's next community meeting: (coming, adults, children,
# interpretation, childcare, name, e-mail, page language). Vietnamese is asked for and not
# offered, so the principal sees the warning.
FAMILY_REPLIES = [
    (True, 2, 2, "es", True, "Familia Ramírez", "ramirez@example.org", "es"),
    (True, 1, 1, "es", False, "", "", "es"),
    (True, 2, 0, "", False, "Jordan Miller", "", "en"),
    (True, 1, 2, "vi", True, "Nguyen", "", "en"),
    (True, 2, 1, "", False, "", "", "en"),
    (False, 0, 0, "", False, "Chen family", "", "en"),
]


def build_demo_family_replies():
    """A few families' answers to Valdez's next community meeting, if one is ahead."""
    school = School.objects.filter(name="Valdez Elementary").first()
    if school is None:
        return 0
    now = clock.now()
    meeting = (
        Meeting.objects.filter(
            school=school,
            meeting_type__in=FAMILY_MEETING_TYPES,
            status=MeetingStatus.PLANNED,
            ends_at__gte=now,
        )
        .order_by("starts_at")
        .first()
    )
    if meeting is None or meeting.family_replies.exists():
        return 0
    FamilyReply.objects.bulk_create(
        FamilyReply(
            meeting=meeting,
            coming=coming,
            adults=adults,
            children=children,
            interpretation=interpretation,
            childcare=childcare,
            name=name,
            email=email,
            language=language,
            created_at=now - timedelta(hours=index + 1),
            updated_at=now - timedelta(hours=index + 1),
        )
        for index, (coming, adults, children, interpretation, childcare, name, email, language) in (
            enumerate(FAMILY_REPLIES)
        )
    )
    return len(FAMILY_REPLIES)


# Valdez's words for families in Spanish: its goals, and its community meetings' titles and
# places. The rest (the Blueprint's initiatives) is left for the demo's translators to do.
SPANISH = {
    GOALS[0][1]: "Subir la competencia en matemáticas de 3.º a 5.º grado del 31% al 40% para mayo",
    GOALS[1][1]: "La mitad de nuestras familias asiste al menos a una reunión CPM este año",
}
STAGE_TITLES_ES = {
    "Kick Off": "Reunión comunitaria de inicio",
    "Check In": "Reunión comunitaria de mitad de año",
    "Wrap Up": "Reunión comunitaria de cierre",
}


def build_demo_family_translations():
    """Spanish for what Valdez's families read (idempotent: a translation made is kept)."""
    from meetings.models import Goal
    from progress.family_content import upcoming_meetings
    from schoolplan import translations

    school = School.objects.filter(name="Valdez Elementary").first()
    principal = User.objects.filter(username="principal").first()
    if school is None or "es" not in school.family_languages:
        return 0
    made = 0
    for goal in Goal.objects.filter(school=school, text__in=SPANISH):
        made += _translate(translations, school, goal, "text", SPANISH[goal.text], principal)
    for meeting in upcoming_meetings(school):
        stage, _, year = meeting.title.partition(" community meeting ")
        if stage in STAGE_TITLES_ES:
            title = f"{STAGE_TITLES_ES[stage]} {year}"
            made += _translate(translations, school, meeting, "title", title, principal)
        if meeting.place.endswith(" cafeteria"):
            place = f"Cafetería de {meeting.place.removesuffix(' cafeteria')}"
            made += _translate(translations, school, meeting, "place", place, principal)
    return made


def _translate(translations, school, obj, field, text, user):
    result = translations.save(school, obj, field, "es", text, 0, user)
    return 0 if isinstance(result, translations.Conflict) else 1
