"""The roster import's own changes (schoolplan.roster): the district's schools, the staff
accounts and their principal and school-staff memberships. Each planner reads what is stored in
a few queries, adds its changes and conflicts to the Plan, and a write step of bulk statements."""

from django.contrib.auth.hashers import make_password
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils.text import slugify

from .models import Level, Membership, Role, School, User
from .roster_bundle import is_active

BATCH = 1000
ROLE_OF = {"principal": Role.PRINCIPAL, "staff": Role.SCHOOL_STAFF}
ROSTER_ROLES = (Role.PRINCIPAL, Role.SCHOOL_STAFF)


# --- Schools ---------------------------------------------------------------------------------


def _grades_by_school(roster):
    found = {}
    for the_class in roster.classes.values():
        grades = [grade.strip() for grade in the_class.grades.split(",")]
        found.setdefault(the_class.school, []).extend(int(g) for g in grades if g.isdigit())
    return found


def _level(plan, school_id, name, grades):
    """A new school's level: the plain template's column, else the highest grade its classes
    teach (OneRoster gives no level for an org), else its name; the district can correct it."""
    given = plan.roster.levels.get(school_id)
    if given:
        return given
    numbers = grades.get(school_id)
    if numbers:
        top = max(numbers)
        return Level.ELEMENTARY if top <= 5 else Level.MIDDLE if top <= 8 else Level.HIGH
    lowered = name.lower()
    if "high" in lowered:
        return Level.HIGH
    if "middle" in lowered or "junior" in lowered:
        return Level.MIDDLE
    return Level.ELEMENTARY


def _public_slugs(names, district):
    """A free families'-page address for each new school (the slug is unique across districts)."""
    wanted = {name: slugify(name)[:70] or "school" for name in names}
    taken = set(
        School.objects.filter(public_slug__in=[*wanted.values()]).values_list(
            "public_slug", flat=True
        )
    )
    slugs = {}
    for name, slug in wanted.items():
        candidate = slug
        if candidate in taken:
            candidate = f"{slug}-{district.slug}"[:80]
        number = 2
        while candidate in taken:
            candidate = f"{slug}-{number}"
            number += 1
        taken.add(candidate)
        slugs[name] = candidate
    return slugs


def plan_schools(plan):
    district, roster = plan.district, plan.roster
    stored = list(School.objects.filter(district=district))
    by_sourced_id = {school.sourced_id: school for school in stored if school.sourced_id}
    unlinked_by_name = {s.name.casefold(): s for s in stored if not s.sourced_id}
    names = {school.name.casefold(): school for school in stored}
    new, changed = [], []
    grades = _grades_by_school(roster)
    for sourced_id, (name, status) in roster.schools.items():
        school = by_sourced_id.get(sourced_id)
        if not is_active(status):
            if school is not None:
                plan.schools[sourced_id] = school  # kept; its memberships end (below)
            continue
        if school is None:
            school = unlinked_by_name.pop(name.casefold(), None)
            if school is not None:
                school.sourced_id = sourced_id
                changed.append(school)
                plan.add("schools", "update", name, "linked to the SIS's school")
        if school is None:
            school = School(district=district, name=name, sourced_id=sourced_id)
            school.level = _level(plan, sourced_id, name, grades)
            new.append(school)
            plan.add("schools", "create", name, Level(school.level).label)
        elif school.name != name:
            plan.add("schools", "update", name, f"renamed from “{school.name}”")
            school.name = name
            if all(other is not school for other in changed):
                changed.append(school)
        holder = names.get(name.casefold())
        if holder is not None and holder is not school:
            plan.fail("orgs.csv", None, "name", f"“{name}” is another school's name in {district}")
        names[name.casefold()] = school
        plan.schools[sourced_id] = school
    slugs = _public_slugs([school.name for school in new], district)
    for school in new:
        school.public_slug = slugs[school.name]

    def write():
        School.objects.bulk_create(new, batch_size=BATCH)
        School.objects.bulk_update(changed, ["name", "sourced_id"], batch_size=BATCH)

    plan.steps.append(("schools", len(new) + len(changed), write))
    plan.active_schools = {
        sourced_id for sourced_id, (_, status) in roster.schools.items() if is_active(status)
    }


# --- Accounts --------------------------------------------------------------------------------


def plan_accounts(plan):
    district, people = plan.district, plan.roster.people
    rostered = {
        user.sourced_id: user
        for user in User.objects.filter(roster_district=district).exclude(sourced_id="")
    }
    emails = {person.email for person in people.values() if person.email}
    by_email = {}
    for user in (
        User.objects.annotate(email_lower=Lower("email"))
        .filter(email_lower__in=emails)
        .order_by("pk")
    ):
        by_email.setdefault(user.email_lower, user)
    usernames = {person.email for person in people.values()}
    taken = set(User.objects.filter(username__in=usernames).values_list("username", flat=True))
    new, changed, fields = [], {}, set()  # changed: pk -> User
    for sourced_id, person in people.items():
        user = rostered.get(sourced_id)
        name = f"{person.given_name} {person.family_name}".strip() or person.email
        if user is None:
            user = by_email.get(person.email)
            if user is not None and user.sourced_id and user.roster_district_id == district.pk:
                plan.fail(
                    "users.csv",
                    person.row,
                    "email",
                    f"{person.email} is the account of SIS person “{user.sourced_id}”",
                )
                continue
            if user is not None and user.roster_district_id not in (None, district.pk):
                plan.fail(
                    "users.csv",
                    person.row,
                    "email",
                    f"{person.email} belongs to an account another district's roster keeps",
                )
                continue
            if user is not None:
                user.roster_district, user.sourced_id = district, sourced_id
                changed[user.pk] = user
                fields |= {"roster_district", "sourced_id"}
                plan.add("accounts", "update", name, f"{person.email}: linked to the SIS")
        if user is None:
            if not is_active(person.status):
                continue  # never had an account: nothing to end
            username = (
                person.email if person.email not in taken else f"{district.slug}-{sourced_id}"
            )
            taken.add(username)
            user = User(
                username=username[:150],
                email=person.email,
                first_name=person.given_name[:150],
                last_name=person.family_name[:150],
                roster_district=district,
                sourced_id=sourced_id,
                password=make_password(None),  # no password until the invitation is used
            )
            new.append(user)
            plan.invite.append(user)
            plan.add("accounts", "create", name, person.email)
        else:
            holder = by_email.get(person.email)
            if holder is not None and holder.pk != user.pk:
                # Sign-in matches by e-mail: two accounts must not share one.
                plan.fail(
                    "users.csv",
                    person.row,
                    "email",
                    f"{person.email} is already the address of another account ({holder.username})",
                )
                continue
            updates = {
                "first_name": person.given_name[:150],
                "last_name": person.family_name[:150],
                "email": person.email,
            }
            different = [key for key, value in updates.items() if getattr(user, key) != value]
            if different:
                detail = ", ".join(
                    f"{key.replace('_', ' ')} “{getattr(user, key)}” → “{updates[key]}”"
                    for key in different
                )
                for key in different:
                    setattr(user, key, updates[key])
                if user.pk not in changed:
                    changed[user.pk] = user
                    plan.add("accounts", "update", name, detail)
                fields |= set(different)
        plan.users[sourced_id] = user

    def write():
        User.objects.bulk_create(new, batch_size=BATCH)
        if changed:
            User.objects.bulk_update(changed.values(), sorted(fields), batch_size=BATCH)

    plan.steps.append(("accounts", len(new) + len(changed), write))


# --- Memberships -----------------------------------------------------------------------------


def plan_memberships(plan):
    district, roster = plan.district, plan.roster
    sourced_id_of_user = {user.pk: sid for sid, user in plan.users.items() if user.pk}
    wanted = {}
    for sourced_id, person in roster.people.items():
        if not is_active(person.status) or sourced_id not in plan.users:
            continue
        for school_id, kind in person.schools.items():
            if school_id in plan.active_schools and school_id in plan.schools:
                wanted[sourced_id, school_id, ROLE_OF[kind]] = person
    # The schools the roster keeps: rostered before, or linked by this import.
    school_of_pk = {school.pk: sid for sid, school in plan.schools.items() if school.pk}
    rows = (
        Membership.objects.filter(school__district=district, role__in=ROSTER_ROLES)
        .filter(~Q(school__sourced_id="") | Q(school_id__in=school_of_pk))
        .values_list("pk", "user_id", "school_id", "role", "user__email", "school__name")
    )
    ended_schools = {sid for sid, (_, status) in roster.schools.items() if not is_active(status)}
    held = set()
    bulk = roster.modes.get("users.csv") == "bulk"
    ending = []
    for pk, user_id, school_pk, role, email, school_name in rows:
        sourced_id = sourced_id_of_user.get(user_id)
        school_id = school_of_pk.get(school_pk)
        key = (sourced_id, school_id, role)
        if key in wanted:
            held.add(key)
            continue
        # In delta mode a person the file does not mention keeps what they hold.
        if bulk or sourced_id in roster.people or school_id in ended_schools:
            ending.append(pk)
            plan.add("memberships", "end", email, f"{Role(role).label}, {school_name}")
    new = []
    for key, person in wanted.items():
        if key in held:
            continue
        sourced_id, school_id, role = key
        new.append(
            Membership(user=plan.users[sourced_id], school=plan.schools[school_id], role=role)
        )
        school = plan.schools[school_id]
        plan.add("memberships", "create", person.email, f"{Role(role).label}, {school.name}")
    today = plan.today

    def write():
        Membership.objects.bulk_create(new, batch_size=BATCH)
        for start in range(0, len(ending), BATCH):
            Membership.objects.filter(pk__in=ending[start : start + BATCH]).update(ended_on=today)

    plan.steps.append(("memberships", len(new) + len(ending), write))
