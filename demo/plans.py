"""Demo school plans for Valdez Elementary (TSI): an ESSA plan in draft, a published Blueprint,
and a cadre part-way through the CommPACT steps with a parent survey."""

from datetime import timedelta
from decimal import Decimal

from meetings.models import GoalArea
from plans import cadre as cadre_services
from plans import services, surveys, workflow
from plans.models import (
    ActionStep,
    Activity,
    CadreAction,
    CadreMember,
    CimProblemStatement,
    CimRootCause,
    CommpactStep,
    DataFinding,
    FocusArea,
    Initiative,
    MonitoringRoutine,
    Outcome,
    ProblemStatement,
    ResearchModel,
    Resource,
    RootCause,
    Strategy,
)
from schoolplan import clock
from schoolplan.models import CadreGroup, School, SchoolYear, User

QUESTIONS = [
    "I feel welcome at school",
    "The school tells me how my child is doing",
    "I know how to help my child with math at home",
    "Meetings are at times I can attend",
    # seed 004: the Bassick cadre asked parents which services they needed.
    "Which services would help your family? [multi]",
    "What else should the cadre know? [text]",
]
SURVEY = "\n".join(
    [
        ",".join(["respondent_group", *QUESTIONS]),
        "parent,Strongly agree,Agree,Disagree,Disagree,Math games to borrow;Childcare at meetings,",
        "parent,Agree,Agree,Strongly disagree,Neutral,"
        "ESL classes;Childcare at meetings,Meetings after 6 pm please",
        "parent,Agree,Neutral,Disagree,Disagree,Math games to borrow,",
        "parent,Strongly agree,Agree,Neutral,Agree,Food pantry,",
        "parent,Neutral,Disagree,Disagree,Strongly disagree,"
        'Childcare at meetings;ESL classes;Math games to borrow,"Interpreters in Spanish, please"',
        "parent,Agree,Agree,Agree,Disagree,,",
        "parent,Strongly agree,Strongly agree,Neutral,Neutral,Math games to borrow,",
        "parent,Agree,Agree,Disagree,Disagree,Childcare at meetings,"
        "I work two jobs; a video link would help",
        "community,Agree,Neutral,Neutral,Agree,"
        "Food pantry;ESL classes,The library can host math nights",
        "student,Strongly agree,Agree,Agree,,Math games to borrow,",
        "",
    ]
)
# seed 004 step 4.3: what the cadre reviewed (name, source, notes, adopted).
RESEARCH_MODELS = [
    (
        "Six types of involvement",
        "Joyce Epstein, Johns Hopkins University",
        "Its 'learning at home' type fits what our parents asked for: math games to borrow.",
        True,
    ),
    (
        "Dual capacity-building framework",
        "Karen Mapp and Paul Kuttner, U.S. Department of Education",
        "Useful for training staff; the cadre will come back to it in spring.",
        False,
    ),
]


def build_demo_school_plans():
    valdez = School.objects.select_related("district").filter(name="Valdez Elementary").first()
    principal = User.objects.filter(username="principal").first()
    if valdez is None or principal is None:
        return 0
    today = clock.today(valdez.district)
    year = SchoolYear.objects.of_district_on(valdez.district_id, today)
    if year is None:
        return 0
    created = 0
    plan = workflow.start_essa_plan(school=valdez, year=year, user=principal)
    if not plan.problems.exists():
        problem = services.add(
            ProblemStatement,
            user=principal,
            plan=plan,
            desired_state="At least 40% of students in grades 3-5 meet the math standard.",
            current_state="31% met the standard on last spring's state test (SPF); 19% of "
            "English learners did.",
            gap="9 points below our target in grade 3-5 math, 21 for English learners",
        )
        services.add(
            RootCause,
            user=principal,
            problem=problem,
            description="Math lessons give little time to language-rich problem solving",
            evidence="Walkthroughs in September: 4 of 15 lessons had students explaining their "
            "reasoning; interim scores lowest on word problems.",
            verified=True,
        )
        area = services.add(
            FocusArea,
            user=principal,
            plan=plan,
            title="Language-rich math instruction",
            initiatives="Math talk routines in every grade 3-5 classroom; family math nights.",
        )
        services.add(
            ActionStep,
            user=principal,
            plan=plan,
            focus_area=area,
            description="Coach grade 3-5 teachers on math talk routines",
            owner="Math coach",
            starts_on=year.starts_on + timedelta(days=75),
            due_on=year.essa_plan_due,
            status="in_progress",
        )
        services.add(
            MonitoringRoutine,
            user=principal,
            plan=plan,
            who="School leadership team",
            what="Walkthrough data and interim math results",
            frequency="monthly",
        )
        created += 5
    blueprint = workflow.start_blueprint(school=valdez, year=year, user=principal)
    if not blueprint.theory_of_action:
        blueprint.theory_of_action = (
            "If every grade 3-5 classroom uses daily math talk and families join us at math "
            "nights, then students will explain and check their reasoning, so that more of them "
            "meet the math standard and feel they belong in math."
        )
        blueprint.save(update_fields=["theory_of_action"])
        for area, title in (
            (GoalArea.MATH, "Daily math talk routines in grades 3-5"),
            (GoalArea.READING, "Small-group phonics in K-2"),
            (GoalArea.THRIVING, "Attendance check-ins for students missing 10% of days"),
            (GoalArea.BELONGING, "Family math nights in English and Spanish"),
        ):
            services.add(Initiative, user=principal, blueprint=blueprint, area=area, title=title)
        workflow.publish_blueprint(blueprint, user=principal)
        created += 5
    cadre = cadre_services.start_cadre(school=valdez, year=year, user=principal)
    if not cadre.members.exists():
        parent = User.objects.filter(username="parent").first()
        for name, group, user in (
            ("Lucia Hernandez", CadreGroup.PARENT, parent),
            ("Marcus Green", CadreGroup.PARENT, None),
            ("Rev. Dolores Ruiz", CadreGroup.COMMUNITY, None),
            ("Ana Valdez", CadreGroup.ADMINISTRATOR, principal),
            ("Sam Lee", CadreGroup.TEACHER, User.objects.filter(username="teacher").first()),
            ("Jaylen Ortiz", CadreGroup.STUDENT, None),
            ("Grace Obi", CadreGroup.GOVERNANCE_COUNCIL, None),
            ("Luis Perez", CadreGroup.UNION, None),
        ):
            CadreMember.objects.create(cadre=cadre, name=name, group=group, account=user)
        members = list(cadre.members.all())
        steps = {step.step: step for step in cadre.steps.all()}
        # A step a week from mid-August; those still ahead of today are not done yet.
        start = year.starts_on + timedelta(days=40)
        for offset, step in enumerate(
            (
                CommpactStep.ALLIANCE,
                CommpactStep.STAFF_OVERVIEW,
                CommpactStep.GOVERNANCE_OVERVIEW,
                CommpactStep.FORM_CADRE,
                CommpactStep.VISION,
            )
        ):
            day = start + timedelta(days=7 * offset)
            if day <= today:
                steps[step].done_on = day
                steps[step].save(update_fields=["done_on"])
        vision = steps[CommpactStep.VISION]
        if vision.done_on is not None:
            cadre_services.record_consensus(
                vision,
                user=principal,
                agreed_on=vision.done_on,
                decision="Adopt the vision: every family is a partner in their child's learning.",
                agreed_by=members,
            )
            cadre.vision = (
                "Every Valdez family is a welcomed partner in their child's learning: families "
                "know how their child is doing, can help at home, and shape what the school "
                "offers."
            )
            cadre.save(update_fields=["vision"])
        services.add(
            CadreAction,
            user=principal,
            cadre=cadre,
            description="Open a family center in room 12 with math games to borrow",
            owner="Parent cadre",
            due_on=year.starts_on + timedelta(days=200),
        )
        for description, contributor, name, value in (
            ("Room 12 and furniture", "building", "", Decimal("0")),
            ("Family liaison, 10 hours a week", "district", "", Decimal("9500")),
            ("Math game kits", "partner", "Riverbend Public Library", Decimal("1200")),
        ):
            services.add(
                Resource,
                user=principal,
                cadre=cadre,
                description=description,
                contributor=contributor,
                contributor_name=name,
                value=value,
            )
        surveys.import_survey(
            cadre,
            user=principal,
            kind="parent",
            title="Parent survey, fall",
            data=SURVEY.encode(),
            file_name="parent-survey-fall.csv",
        )
        for name, source, notes, adopted in RESEARCH_MODELS:
            services.add(
                ResearchModel,
                user=principal,
                cadre=cadre,
                name=name,
                source=source,
                notes=notes,
                adopted=adopted,
            )
        created += 16
    return created


# Riverbend's Plan for Improvement: the data analysis behind it (seed 001: data analysis -> root
# cause -> plan). demo.progress builds the plan and calls this once the strategies exist.
FINDINGS = [
    (
        "18% of students with IEPs in grades 3–5 read at benchmark, against 41% of all students.",
        "Fall benchmark screener",
    ),
    ("82% of annual IEPs were held on time; the state target is 100%.", "CALPADS timeliness"),
    (
        "64% of families attended their child's IEP meeting; 4 in 10 absent families speak "
        "Spanish at home.",
        "IEP meeting sign-in sheets",
    ),
]
ROOT_CAUSES = [
    ("Co-teachers plan separately, so Tier 1 reading is not differentiated.", [0]),
    ("Case managers have no shared calendar of IEP due dates.", [1]),
    ("IEP meetings are held in school hours and in English only.", [2]),
]
PROBLEMS = [
    ("Students with disabilities are not reaching reading benchmarks in grades 3–5.", [0]),
    ("IEPs are late and families are often missing from them.", [1, 2]),
]
# Which problem statements and root causes each strategy addresses, in the plan's order.
ADDRESSES = [([0], [0]), ([1], [1, 2])]


def _earlier(model, last_plan, **same):
    if last_plan is None:
        return None
    return model.objects.filter(**same).filter(**_in_plan(model, last_plan)).first()


def _in_plan(model, plan):
    return {
        Strategy: {"plan": plan},
        Activity: {"strategy__plan": plan},
        Outcome: {"activity__strategy__plan": plan},
    }.get(model, {"plan": plan})


def build_cim_analysis(plan):
    """The plan's findings, root causes and problem statements, linked to its strategies. A
    plan whose district had one the year before continues it (carried_from), as a plan started
    from last year's would."""
    from plans.carry_over import last_years_plan

    if plan.findings.exists():
        return
    last = last_years_plan(plan.district, plan.school_year)
    findings = [
        DataFinding.objects.create(
            plan=plan,
            statement=text,
            source=source,
            carried_from=_earlier(DataFinding, last, statement=text),
        )
        for text, source in FINDINGS
    ]
    causes = []
    for text, supported in ROOT_CAUSES:
        cause = CimRootCause.objects.create(
            plan=plan, description=text, carried_from=_earlier(CimRootCause, last, description=text)
        )
        cause.findings.set([findings[n] for n in supported])
        causes.append(cause)
    problems = []
    for text, behind in PROBLEMS:
        problem = CimProblemStatement.objects.create(
            plan=plan,
            statement=text,
            carried_from=_earlier(CimProblemStatement, last, statement=text),
        )
        problem.root_causes.set([causes[n] for n in behind])
        problems.append(problem)
    for strategy, (problem_ns, cause_ns) in zip(plan.strategies.all(), ADDRESSES, strict=False):
        strategy.problem_statements.set([problems[n] for n in problem_ns])
        strategy.root_causes.set([causes[n] for n in cause_ns])
        strategy.carried_from = _earlier(Strategy, last, title=strategy.title)
        strategy.save(update_fields=["carried_from"])
    for activity in Activity.objects.filter(strategy__plan=plan):
        activity.carried_from = _earlier(Activity, last, title=activity.title)
        activity.save(update_fields=["carried_from"])
    for outcome in Outcome.objects.filter(activity__strategy__plan=plan):
        outcome.carried_from = _earlier(Outcome, last, description=outcome.description)
        outcome.save(update_fields=["carried_from"])
