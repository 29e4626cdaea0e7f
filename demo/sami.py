"""Demo SAMI note catcher for Valdez Elementary (seed 002): the team that did it, its rated
items with three high-leverage actions, the ESSA data review notes; the three actions are the
pre-work of Valdez's workshop registration, and the ESSA plan's root cause cites two items."""

from meetings import prework as prework_rules
from meetings import sami as sami_rules
from meetings.models import RegistrationStatus, SamiItem, SamiTeamMember, WorkshopRegistration
from plans import services, workflow
from plans.models import RootCause
from schoolplan import clock
from schoolplan.models import School, SchoolYear, User

# Valdez's people (demo_data's accounts where they have one): the workshop registration names
# the same team (demo.meetings).
TEAM = [
    ("Ana Valdez", "Principal"),
    ("Sam Lee", "Grade 3 teacher"),
    ("Priya Natarajan", "Grade 5 teacher"),
    ("Luis Ortega", "Math coach"),
    ("Grace Liu", "English learner specialist"),
    ("Tom Reyes", "Parent representative"),
]
ITEMS = [
    (
        "Universal tier: evidence-based core math instruction",
        1,
        "Walkthroughs: 4 of 15 lessons had students explaining their reasoning.",
    ),
    (
        "Data-based decision making: screening and progress monitoring",
        2,
        "Screening is done; teams rarely use it to change instruction.",
    ),
    ("Family partnership in MTSS", 1, "Families hear about results once a year."),
    ("Leadership team meets and acts on data", 2, "Meets monthly; actions not followed up."),
    ("Targeted tier: small-group math intervention", 0, "No structured math intervention yet."),
]


def build_demo_sami():
    valdez = School.objects.select_related("district").filter(name="Valdez Elementary").first()
    principal = User.objects.filter(username="principal").first()
    if valdez is None or principal is None:
        return 0
    year = SchoolYear.objects.of_district_on(valdez.district_id, clock.today(valdez.district))
    if year is None:
        return 0
    sami = workflow.start_sami(school=valdez, year=year, user=principal)
    if sami.items.exists():
        return 0
    for name, role in TEAM:
        services.add(SamiTeamMember, user=principal, sami=sami, name=name, role=role)
    items = [
        services.add(SamiItem, user=principal, sami=sami, name=name, rating=rating, notes=notes)
        for name, rating, notes in ITEMS
    ]
    services.update(
        sami,
        user=principal,
        expected_version=sami.version,
        essa_review="Grade 3-5 math: 31% met the standard (19% of English learners). Chronic "
        "absence 14%. Reading held steady at 48%.",
    )
    actions = [items[0], items[2], items[4]]
    sami_rules.mark_high_leverage(sami, items=actions, user=principal, expected_version=1)
    causes = RootCause.objects.filter(problem__plan__school=valdez, problem__plan__school_year=year)
    for cause in causes[:1]:  # verified against two of the SAMI's items (seed 002)
        services.update(cause, user=principal, expected_version=cause.version, sami_items=items[:2])
    registration = (
        WorkshopRegistration.objects.filter(school=valdez, series__school_year=year)
        .exclude(status=RegistrationStatus.CANCELLED)
        .first()
    )
    if registration is not None and registration.open_to_the_school():
        prework_rules.give_prework(
            registration,
            user=principal,
            expected_version=registration.prework_version,
            actions=actions,
        )
    return len(TEAM) + len(items)
