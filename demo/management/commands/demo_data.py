"""Build realistic demo districts around today, and print their logins.

Each district gets the school year containing its today and the year before (demo.days),
so the demo is live on any date: in July the new year's Kick Off is coming and last year's
meetings are there to read.

Idempotent: everything is found by its natural key and created only when missing, and a
password is set only on a user the command creates, so a second run changes nothing that is
there (run on a later date, it adds what that date calls for).
"""

from datetime import date

from django.core.management.base import BaseCommand
from django.db import transaction

from demo.meetings import build_demo_cap, build_demo_meetings, build_demo_workshops
from demo.plans import build_demo_school_plans
from demo.progress import (
    build_demo_cim,
    build_demo_family_replies,
    build_demo_family_translations,
    build_demo_progress_report,
    build_demo_school_metrics,
    build_demo_spf,
)
from demo.sami import build_demo_sami
from schoolplan import cim_levels, clock, two_factor
from schoolplan.models import (
    CadreGroup,
    CimStatus,
    District,
    EssaDesignation,
    Level,
    Membership,
    Role,
    School,
    SchoolYear,
    User,
)

DEMO_PASSWORD = "schoolplan-demo"
DEMO_BACKUP_CODES = 3

E, M, H = Level.ELEMENTARY, Level.MIDDLE, Level.HIGH
TSI, CSI, NO = EssaDesignation.TARGETED, EssaDesignation.COMPREHENSIVE, EssaDesignation.NONE

DISTRICTS = [
    {
        "slug": "riverbend-usd",
        "name": "Riverbend Unified School District",
        # California (seed 001: CIM).
        "time_zone": "America/Los_Angeles",
        "cim_status": CimStatus.INTENSIVE_2,
        "selpa_name": "Riverbend County SELPA",
        "selpa_contact_name": "Renee Okafor",
        "selpa_contact_email": "rokafor@riverbend-selpa.example.org",
        "cde_consultant_name": "Martin Alvarez",
        "cde_consultant_email": "malvarez@cde.example.gov",
        "cpm_contact_name": "Gloria Estrada",
        "cpm_contact_email": "cpm@riverbend.example.org",
        # (name, level, Title I, ESSA designation, family languages)
        "schools": [
            ("Valdez Elementary", E, True, TSI, ["en", "es"]),
            ("Cesar Chavez Elementary", E, True, NO, ["en", "es", "vi"]),
            ("Maple Grove Elementary", E, False, NO, ["en"]),
            ("Harbor View Elementary", E, True, CSI, ["en", "es", "so"]),
            ("Sunnyside Elementary", E, True, NO, ["en", "es", "hmn"]),
            ("Oak Park Elementary", E, False, NO, ["en", "zh"]),
            ("Lincoln Middle", M, True, TSI, ["en", "es"]),
            ("Rosa Parks Middle", M, False, NO, ["en", "ar"]),
            ("Westside Middle", M, True, NO, ["en", "es", "tl"]),
            ("Riverbend High", H, False, NO, ["en", "es"]),
            ("Eastlake High", H, True, TSI, ["en", "es", "vi"]),
            ("Riverbend Early College High", H, False, NO, ["en"]),
        ],
    },
    {
        # Another district, so the demo shows that nobody sees another district's schools. It
        # is in Colorado (seed 000: CPM, SPF), an hour ahead of Riverbend, and not in California's
        # CIM monitoring.
        "slug": "lakeside-sd",
        "name": "Lakeside School District",
        "time_zone": "America/Denver",
        "cim_status": CimStatus.NONE,
        "cpm_contact_name": "Paul Brandt",
        "cpm_contact_email": "cpm@lakeside.example.org",
        "schools": [
            ("Lakeside Elementary", E, True, NO, ["en", "es"]),
            ("Aspen Middle", M, False, NO, ["en", "es"]),
            ("Lakeside High", H, False, NO, ["en"]),
        ],
    },
]

DISTRICT_NAMES = {spec["slug"]: spec["name"] for spec in DISTRICTS}

# (username, first, last, role, district slug or school name, cadre group)
PEOPLE = [
    ("district", "Gloria", "Estrada", Role.DISTRICT_STAFF, "riverbend-usd", ""),
    ("cimlead", "Carlos", "Medina", Role.CIM_LEAD, "riverbend-usd", ""),
    ("cimmember", "Mei", "Chen", Role.CIM_MEMBER, "riverbend-usd", ""),
    ("taprovider", "Terry", "Adams", Role.TA_PROVIDER, "riverbend-usd", ""),
    ("principal", "Ana", "Valdez", Role.PRINCIPAL, "Valdez Elementary", ""),
    # A principal is often on the CIM team too (DOMAIN.md).
    ("principal", "Ana", "Valdez", Role.CIM_MEMBER, "riverbend-usd", ""),
    ("teacher", "Sam", "Lee", Role.SCHOOL_STAFF, "Valdez Elementary", ""),
    ("teacher2", "Priya", "Natarajan", Role.SCHOOL_STAFF, "Valdez Elementary", ""),
    ("parent", "Lucia", "Hernandez", Role.CADRE_MEMBER, "Valdez Elementary", CadreGroup.PARENT),
    ("principal.chavez", "Jorge", "Ramirez", Role.PRINCIPAL, "Cesar Chavez Elementary", ""),
    ("principal.maple", "Helen", "Brooks", Role.PRINCIPAL, "Maple Grove Elementary", ""),
    ("principal.harbor", "Abdi", "Warsame", Role.PRINCIPAL, "Harbor View Elementary", ""),
    ("principal.sunnyside", "Kim", "Vang", Role.PRINCIPAL, "Sunnyside Elementary", ""),
    ("principal.oakpark", "Li", "Wong", Role.PRINCIPAL, "Oak Park Elementary", ""),
    ("principal.lincoln", "Marcus", "Johnson", Role.PRINCIPAL, "Lincoln Middle", ""),
    ("principal.parks", "Nadia", "Haddad", Role.PRINCIPAL, "Rosa Parks Middle", ""),
    ("principal.westside", "Rosa", "Santos", Role.PRINCIPAL, "Westside Middle", ""),
    ("principal.riverbend", "David", "Miller", Role.PRINCIPAL, "Riverbend High", ""),
    ("principal.eastlake", "Thu", "Nguyen", Role.PRINCIPAL, "Eastlake High", ""),
    ("principal.earlycollege", "Grace", "Park", Role.PRINCIPAL, "Riverbend Early College High", ""),
    ("teacher.lincoln", "Omar", "Farah", Role.SCHOOL_STAFF, "Lincoln Middle", ""),
    ("district.lakeside", "Paul", "Brandt", Role.DISTRICT_STAFF, "lakeside-sd", ""),
    ("principal.lakeside", "Erin", "Olsen", Role.PRINCIPAL, "Lakeside Elementary", ""),
]


# After the districts, schools, years and people: each app's records, in the order they build
# on each other (meetings, then the plans that cite them, then progress on the plans). Each
# builder finds its district, reads its today and is idempotent.
BUILDERS = [
    build_demo_meetings,
    build_demo_cap,
    build_demo_workshops,
    build_demo_school_plans,
    build_demo_sami,
    build_demo_cim,
    build_demo_school_metrics,
    build_demo_spf,
    build_demo_progress_report,
    build_demo_family_replies,
    build_demo_family_translations,
]


class Command(BaseCommand):
    help = "Create (or leave as is) the demo districts, schools, school year and users."

    def add_arguments(self, parser):
        parser.add_argument(
            "--two-factor-codes",
            action="store_true",
            help="Enrol the demo accounts that need two-factor sign-in and print fresh one-time "
            "backup codes for them (make run does this).",
        )

    def handle(self, *args, **options):
        with transaction.atomic():
            created = self.build()
            created += sum(builder() for builder in BUILDERS)
        self.print_logins(created)
        if options["two_factor_codes"]:
            self.print_two_factor_codes()

    def print_two_factor_codes(self):
        """Principals, teachers and the administrator must give a second factor (they can read
        pupil notes). So that a visitor can try them without a phone, each gets a few
        single-use backup codes, new on every run."""
        usernames = ["admin", *dict.fromkeys(person[0] for person in PEOPLE)]
        users = [
            u
            for u in User.objects.filter(username__in=usernames).order_by("pk")
            if two_factor.is_required(u)
        ]
        if not users:
            return
        self.stdout.write(
            "\nSecond sign-in step for principals, teachers and admin (each code works once; "
            "make run prints new ones):"
        )
        for user in users:
            codes = two_factor.enrol_for_demo(user, DEMO_BACKUP_CODES)
            self.stdout.write(f"  {user.username:<24} {'  '.join(codes)}")

    def build(self):
        schools = {}
        districts = {}
        created = 0
        for spec in DISTRICTS:
            spec = dict(spec)
            school_specs = spec.pop("schools")
            cim_status = spec.pop("cim_status")
            district, was_created = District.objects.get_or_create(slug=spec["slug"], defaults=spec)
            created += was_created
            if district.time_zone != spec["time_zone"]:
                # A demo database from before the districts had zones has them all in the
                # server's: the demo's districts are where their seeds are.
                district.time_zone = spec["time_zone"]
                district.save(update_fields=["time_zone"])
            districts[district.slug] = district
            # The year containing the district's today, and the one before (its history).
            start_year = SchoolYear.start_year_containing(clock.today(district))
            for year in (start_year - 1, start_year):
                _, was_created = SchoolYear.objects.get_or_create(
                    district=district, start_year=year
                )
                created += was_created
            # The CIM level is kept per year (schoolplan/cim_levels.py): in force since the
            # history year began.
            if cim_status != CimStatus.NONE and not district.cim_levels.exists():
                cim_levels.record_level(district, cim_status, date(start_year - 1, 7, 1))
            for name, level, title_i, essa, languages in school_specs:
                school, was_created = School.objects.get_or_create(
                    district=district,
                    name=name,
                    defaults={
                        "level": level,
                        "title_i": title_i,
                        "essa_designation": essa,
                        "family_languages": languages,
                        "public_slug": f"{district.slug.split('-')[0]}-"
                        + name.lower().replace(" ", "-"),
                    },
                )
                created += was_created
                schools[name] = school

        admin, was_created = User.objects.get_or_create(
            username="admin",
            defaults={
                "first_name": "Site",
                "last_name": "Administrator",
                "email": "admin@example.org",
            },
        )
        if was_created:
            admin.is_staff = admin.is_superuser = True
            admin.set_password(DEMO_PASSWORD)
            admin.save()
            created += 1
        for username, first, last, role, where, cadre_group in PEOPLE:
            user, was_created = User.objects.get_or_create(
                username=username,
                defaults={
                    "first_name": first,
                    "last_name": last,
                    "email": f"{username}@example.org",
                },
            )
            if was_created:
                user.set_password(DEMO_PASSWORD)
                user.save()
                created += 1
            scope = (
                {"school": schools[where]} if where in schools else {"district": districts[where]}
            )
            membership = Membership(user=user, role=role, cadre_group=cadre_group, **scope)
            membership.full_clean(validate_unique=False, validate_constraints=False)
            _, was_created = Membership.objects.get_or_create(
                user=user, role=role, defaults={"cadre_group": cadre_group}, **scope
            )
            created += was_created
        return created

    def print_logins(self, created):
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo data ready ({created} records created; 0 means it was already there)."
            )
        )
        self.stdout.write(f"\nDemo logins (every password: {DEMO_PASSWORD}):")
        seen = set()
        rows = [("admin", "Site administrator (Django admin)", "all districts")]
        for username, _first, _last, role, where, _group in PEOPLE:
            rows.append((username, Role(role).label, DISTRICT_NAMES.get(where, where)))
        for username, role, where in rows:
            label = username if username not in seen else ""
            seen.add(username)
            self.stdout.write(f"  {label:<24} {role:<34} {where}")
