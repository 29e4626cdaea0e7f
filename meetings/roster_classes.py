"""The roster import's classes (issue 21): classes.csv and enrollments.csv become the school
year's classes, with the primary teacher and the co-teachers as CAP's class team.

A class is kept by its sourcedId in the district's current school year. One with no teacher in
the roster is skipped (a CAP meeting needs a class team) and the preview says so. A class the
SIS drops is left as it is: its CAP meetings are the school's record. Pupils are never read.
"""

from schoolplan.models import SchoolYear
from schoolplan.roster_bundle import is_active
from schoolplan.roster_core import BATCH
from schoolplan.text import fit

from .models import SchoolClass

NO_GRADE = "Not given"


def _grade(the_class):
    grades = [grade.strip() for grade in the_class.grades.split(",") if grade.strip()]
    return fit(SchoolClass, "grade", ", ".join(grades) or NO_GRADE)


def plan_classes(plan):
    roster, district = plan.roster, plan.district
    if not roster.classes:
        return
    year = SchoolYear.objects.of_district_on(district, plan.today)
    if year is None:
        plan.fail(
            "classes.csv",
            None,
            "",
            f"{district} has no school year for {plan.today:%-d %B %Y}: set the year up first "
            "(classes belong to one)",
        )
        return
    stored = list(
        SchoolClass.objects.filter(school_year=year)
        .select_related("school", "teacher")
        .prefetch_related("co_leaders")
    )
    by_sourced_id = {c.sourced_id: c for c in stored if c.sourced_id}
    # A class's name is unique in its school and year: (school, name) -> the class holding it.
    names = {(c.school_id, c.name.casefold()): c for c in stored}
    new, changed, teams = [], [], []

    def free_name(school, the_class, wanted):
        for name in (wanted, f"{wanted} ({the_class.class_code or the_class.sourced_id})"):
            name = fit(SchoolClass, "name", name)
            holder = names.get((school.pk, name.casefold()))
            if holder is None or holder is by_sourced_id.get(the_class.sourced_id):
                return name
        return fit(SchoolClass, "name", f"{wanted} ({the_class.sourced_id})")

    for sourced_id, the_class in roster.classes.items():
        school = plan.schools.get(the_class.school)
        if not is_active(the_class.status) or school is None:
            continue
        team = [
            plan.users[person]
            for person in the_class.teachers
            if person in plan.users and is_active(roster.people[person].status)
        ]
        label = f"{the_class.title}, {school.name}"
        if not team:
            plan.add("classes", "skip", label, "no teacher in enrollments.csv")
            continue
        teacher, co_leaders = team[0], team[1:]
        stored_class = by_sourced_id.get(sourced_id)
        grade = _grade(the_class)
        if stored_class is None:
            name = free_name(school, the_class, the_class.title)
            stored_class = SchoolClass(
                school=school,
                school_year=year,
                name=name,
                grade=grade,
                teacher=teacher,
                sourced_id=sourced_id,
            )
            new.append(stored_class)
            teams.append((stored_class, co_leaders, []))
            names[school.pk, name.casefold()] = stored_class
            plan.add("classes", "create", label, _team_text(team))
            continue
        differences = []
        if stored_class.school_id != school.pk:
            differences.append(f"moved from {stored_class.school.name}")
            stored_class.school = school
        name = free_name(school, the_class, the_class.title)
        if stored_class.name != the_class.title and stored_class.name != name:
            differences.append(f"renamed from “{stored_class.name}”")
            stored_class.name = name
        if stored_class.grade != grade:
            differences.append(f"grade {stored_class.grade} → {grade}")
            stored_class.grade = grade
        if stored_class.teacher_id != teacher.pk:
            differences.append(f"teacher {stored_class.teacher} → {teacher}")
            stored_class.teacher = teacher
        had = {user.pk for user in stored_class.co_leaders.all()}
        wanted = {user.pk for user in co_leaders}
        if had != wanted:
            differences.append("co-teachers " + (_team_text(co_leaders) or "none"))
            teams.append((stored_class, co_leaders, had - wanted))
        if differences:
            changed.append(stored_class)
            plan.add("classes", "update", label, "; ".join(differences))

    def write():
        SchoolClass.objects.bulk_create(new, batch_size=BATCH)
        fields = ["school", "name", "grade", "teacher"]
        SchoolClass.objects.bulk_update(changed, fields, batch_size=BATCH)
        through = SchoolClass.co_leaders.through
        removed = [(c.pk, user_id) for c, _, gone in teams for user_id in gone]
        for class_id, user_id in removed:  # rare: a co-teacher leaves a class
            through.objects.filter(schoolclass_id=class_id, user_id=user_id).delete()
        have = set(
            through.objects.filter(schoolclass_id__in=[c.pk for c, _, _ in teams]).values_list(
                "schoolclass_id", "user_id"
            )
        )
        links = [
            through(schoolclass_id=c.pk, user_id=user.pk)
            for c, co_leaders, _ in teams
            for user in co_leaders
            if (c.pk, user.pk) not in have
        ]
        through.objects.bulk_create(links, batch_size=BATCH)

    plan.steps.append(("classes", len(new) + len(changed), write))


def _team_text(team):
    return ", ".join(str(user) for user in team)
