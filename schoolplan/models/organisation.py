"""The core: districts, schools, school years with their windows, and who belongs where."""

from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.dateformat import format as format_date
from django.utils.text import slugify

from schoolplan import clock


class User(AbstractUser):
    """A person with an account. Families have none: they read what a school publishes."""

    @property
    def display_name(self):
        return self.get_full_name() or self.username

    def __str__(self):
        return self.display_name


# --- Districts and schools ------------------------------------------------------------------


class CimStatus(models.TextChoices):
    """A district's Compliance and Improvement Monitoring level (seed 001)."""

    NONE = "none", "Not in CIM"
    TARGETED_1 = "targeted_1", "Targeted level 1"
    TARGETED_2 = "targeted_2", "Targeted level 2"
    TARGETED_3 = "targeted_3", "Targeted level 3"
    INTENSIVE_1 = "intensive_1", "Intensive level 1"
    INTENSIVE_2 = "intensive_2", "Intensive level 2"
    INTENSIVE_3 = "intensive_3", "Intensive level 3"


INTENSIVE_STATUSES = (CimStatus.INTENSIVE_1, CimStatus.INTENSIVE_2, CimStatus.INTENSIVE_3)
TARGETED_STATUSES = (CimStatus.TARGETED_1, CimStatus.TARGETED_2, CimStatus.TARGETED_3)


def reports_per_year(status):
    """seed 001: Intensive LEAs report quarterly, Targeted LEAs semi-annually, others never."""
    if status in INTENSIVE_STATUSES:
        return 4
    if status in TARGETED_STATUSES:
        return 2
    return 0


def default_time_zone_name():
    # settings.TIME_ZONE is only where a new district starts (DOMAIN.md, Time).
    return settings.TIME_ZONE


class TimeZoneField(models.CharField):
    """An IANA time zone name, offered as a select of the zones the machine knows (computed when
    the form is built, so a newer tz database needs no migration)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_length", 64)
        kwargs.setdefault("default", default_time_zone_name)
        super().__init__(*args, **kwargs)
        self.validators.append(clock.validate_time_zone)

    def formfield(self, **kwargs):
        from django import forms

        return forms.TypedChoiceField(
            choices=lambda: [(name, name.replace("_", " ")) for name in clock.time_zone_names()],
            label=self.verbose_name.capitalize(),
            help_text=self.help_text,
            initial=default_time_zone_name,
            required=not self.blank,
            **{k: v for k, v in kwargs.items() if k in {"label", "help_text", "widget"}},
        )


class DistrictQuerySet(models.QuerySet):
    def visible_to(self, user):
        from schoolplan.permissions import VIEW_DISTRICT, restrict

        return restrict(self, user, VIEW_DISTRICT)

    def in_cim_on(self, day):
        """The districts with a CIM monitoring status in force on day."""
        from schoolplan.cim_levels import status_in_force

        return self.alias(cim_status_then=status_in_force(day)).exclude(
            cim_status_then=CimStatus.NONE
        )


class District(models.Model):
    """A local educational agency (LEA)."""

    name = models.CharField(max_length=200, unique=True)
    slug = models.SlugField(max_length=80, unique=True, blank=True)
    selpa_name = models.CharField("SELPA name", max_length=200, blank=True)
    selpa_contact_name = models.CharField("SELPA contact", max_length=200, blank=True)
    selpa_contact_email = models.EmailField("SELPA contact e-mail", blank=True)
    cde_consultant_name = models.CharField("CDE FMTA consultant", max_length=200, blank=True)
    cde_consultant_email = models.EmailField("CDE FMTA consultant e-mail", blank=True)
    # seed 000: "let us know when you plan to host a CPM meeting" goes to this person.
    cpm_contact_name = models.CharField("CPM contact", max_length=200, blank=True)
    cpm_contact_email = models.EmailField("CPM contact e-mail", blank=True)
    # DOMAIN.md, Time: every date rule of the district is read on its local calendar.
    time_zone = TimeZoneField(
        "time zone",
        help_text="Windows close and deadlines end at midnight here; pages, e-mails and "
        "calendar files show times here.",
    )

    objects = DistrictQuerySet.as_manager()

    # Where the permission layer finds this object's district and school.
    permission_scope = {"district": "id"}

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        self.clean_slug()
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("district_detail", args=[self.pk])

    # The CIM monitoring status is kept per school year (CimLevel, schoolplan/cim_levels.py);
    # what the app means by "the district's status" is the one in force today, in its zone.

    def cim_status_on(self, day):
        from schoolplan.cim_levels import level_on

        return level_on(self, day)

    def refresh_from_db(self, *args, **kwargs):
        from schoolplan.cim_levels import forget

        forget(self)
        super().refresh_from_db(*args, **kwargs)

    @property
    def cim_status(self):
        return self.cim_status_on(clock.today(self))

    def get_cim_status_display(self):
        return CimStatus(self.cim_status).label

    @property
    def is_intensive(self):
        return self.cim_status in INTENSIVE_STATUSES

    @property
    def is_targeted(self):
        return self.cim_status in TARGETED_STATUSES

    @property
    def progress_reports_per_year(self):
        return reports_per_year(self.cim_status)

    def clean_slug(self):
        if not self.slug and self.name:
            self.slug = slugify(self.name)[:80]

    def clean(self):
        self.clean_slug()


class Level(models.TextChoices):
    ELEMENTARY = "elementary", "Elementary"
    MIDDLE = "middle", "Middle"
    HIGH = "high", "High"


LEVEL_ORDER = {level: position for position, level in enumerate(Level)}


class EssaDesignation(models.TextChoices):
    NONE = "none", "No ESSA designation"
    TARGETED = "targeted", "Targeted support and improvement (TSI)"
    COMPREHENSIVE = "comprehensive", "Comprehensive support and improvement (CSI)"


# Languages families speak at home; a school lists those it offers interpretation in.
FAMILY_LANGUAGES = [
    ("en", "English"),
    ("es", "Spanish"),
    ("vi", "Vietnamese"),
    ("zh", "Chinese"),
    ("tl", "Tagalog"),
    ("ar", "Arabic"),
    ("ko", "Korean"),
    ("ru", "Russian"),
    ("so", "Somali"),
    ("hmn", "Hmong"),
    ("pa", "Punjabi"),
    ("am", "Amharic"),
    ("ne", "Nepali"),
    ("fr", "French"),
    ("pt", "Portuguese"),
]
FAMILY_LANGUAGE_NAMES = dict(FAMILY_LANGUAGES)


class SchoolQuerySet(models.QuerySet):
    def visible_to(self, user):
        from schoolplan.permissions import VIEW_SCHOOL, restrict

        return restrict(self, user, VIEW_SCHOOL)


class School(models.Model):
    district = models.ForeignKey(District, on_delete=models.PROTECT, related_name="schools")
    name = models.CharField(max_length=200)
    level = models.CharField(max_length=20, choices=Level)
    title_i = models.BooleanField("Title I", default=False)
    essa_designation = models.CharField(
        "ESSA designation", max_length=20, choices=EssaDesignation, default=EssaDesignation.NONE
    )
    family_languages = models.JSONField(
        default=list,
        blank=True,
        help_text="Languages the school's families speak; meetings offer interpretation in them.",
    )
    public_slug = models.SlugField(
        max_length=80,
        unique=True,
        blank=True,
        help_text="The address of the school's family pages: /families/<slug>/.",
    )

    objects = SchoolQuerySet.as_manager()

    permission_scope = {"district": "district_id", "school": "id"}

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["district", "name"], name="school_name_unique_in_district"
            )
        ]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        self.clean_public_slug()
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("school_detail", args=[self.pk])

    @property
    def is_secondary(self):
        # seed 002: middle and high schools share the "secondary" workshop slots.
        return self.level in (Level.MIDDLE, Level.HIGH)

    @property
    def has_essa_designation(self):
        return self.essa_designation != EssaDesignation.NONE

    @property
    def essa_short(self):
        return {EssaDesignation.TARGETED: "TSI", EssaDesignation.COMPREHENSIVE: "CSI"}.get(
            self.essa_designation, ""
        )

    @property
    def family_language_names(self):
        return [FAMILY_LANGUAGE_NAMES.get(code, code) for code in self.family_languages]

    def clean(self):
        if not isinstance(self.family_languages, list):
            raise ValidationError({"family_languages": "Give the family languages as a list."})
        unknown = [code for code in self.family_languages if code not in FAMILY_LANGUAGE_NAMES]
        if unknown:
            raise ValidationError(
                {"family_languages": f"Unknown language code(s): {', '.join(map(str, unknown))}."}
            )
        self.clean_public_slug()

    def clean_public_slug(self):
        if not self.public_slug and self.name:
            self.public_slug = slugify(self.name)[:80]


# --- School years and their windows ---------------------------------------------------------


class CpmStage(models.TextChoices):
    """The three Community Progress Monitoring meetings every school hosts a year (seed 000)."""

    KICK_OFF = "kick_off", "Kick Off"
    CHECK_IN = "check_in", "Check In"
    WRAP_UP = "wrap_up", "Wrap Up"


@dataclass(frozen=True)
class Window:
    """A named span of dates in a school year, both ends included."""

    key: str
    label: str
    opens: date
    closes: date

    def contains(self, day):
        return self.opens <= day <= self.closes

    def status(self, today):
        if today < self.opens:
            return "upcoming"
        if today > self.closes:
            return "closed"
        return "open"

    def days_left(self, today):
        return (self.closes - today).days

    @property
    def dates(self):
        return f"{_day(self.opens)} – {_day(self.closes)}"

    def __str__(self):
        return f"{self.label} ({self.dates})"


def _day(value):
    return format_date(value, "j M Y")


def default_dates(start_year):
    """The defaults of DOMAIN.md for the school year starting on July 1 of start_year."""
    spring = start_year + 1
    return {
        # seed 000: Kick Off August–November, Check In December–March, Wrap Up April–June.
        "kick_off_opens": date(start_year, 8, 1),
        "kick_off_closes": date(start_year, 11, 30),
        "check_in_opens": date(start_year, 12, 1),
        "check_in_closes": date(spring, 3, 31),
        "wrap_up_opens": date(spring, 4, 1),
        "wrap_up_closes": date(spring, 6, 30),
        # seed 000: share SPF results "late October to early November" (default Oct 20 – Nov 10).
        "spf_sharing_opens": date(start_year, 10, 20),
        "spf_sharing_closes": date(start_year, 11, 10),
        # seed 002: Targeted-support schools submit their ESSA action plan by May 15.
        "essa_plan_due": date(spring, 5, 15),
    }


class SchoolYearQuerySet(models.QuerySet):
    def visible_to(self, user):
        from schoolplan.permissions import VIEW_DISTRICT, restrict

        return restrict(self, user, VIEW_DISTRICT)

    def containing(self, day):
        return self.filter(start_year=SchoolYear.start_year_containing(day))

    def of_district_on(self, district, day):
        """The district's school year containing day, or None if it is not set up."""
        return self.containing(day).filter(district=district).first()

    def chosen_or_current(self, district, chosen, day):
        """The district's year starting in `chosen` (as a form sends it, e.g. "2026"), else
        the one containing day; None when neither is set up."""
        from schoolplan.forms import posted_int

        year = None
        chosen = posted_int(chosen, maximum=9999)
        if chosen is not None:
            year = self.filter(district=district, start_year=chosen).first()
        return year or self.of_district_on(district, day)


class SchoolYear(models.Model):
    """A district's school year, July 1 to June 30, with its windows and deadlines."""

    district = models.ForeignKey(District, on_delete=models.CASCADE, related_name="school_years")
    start_year = models.PositiveSmallIntegerField(
        help_text="The calendar year the school year starts in: 2026 for 2026-27."
    )
    kick_off_opens = models.DateField("Kick Off window opens")
    kick_off_closes = models.DateField("Kick Off window closes")
    check_in_opens = models.DateField("Check In window opens")
    check_in_closes = models.DateField("Check In window closes")
    wrap_up_opens = models.DateField("Wrap Up window opens")
    wrap_up_closes = models.DateField("Wrap Up window closes")
    spf_sharing_opens = models.DateField("SPF sharing window opens")
    spf_sharing_closes = models.DateField("SPF sharing window closes")
    essa_plan_due = models.DateField("ESSA action plan due")

    objects = SchoolYearQuerySet.as_manager()

    permission_scope = {"district": "district_id"}

    WINDOW_LABELS = {
        "kick_off": "Kick Off",
        "check_in": "Check In",
        "wrap_up": "Wrap Up",
        "spf_sharing": "SPF sharing",
    }

    class Meta:
        ordering = ["district", "-start_year"]
        constraints = [
            models.UniqueConstraint(
                fields=["district", "start_year"], name="one_school_year_per_district_and_year"
            )
        ]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        self.fill_defaults()
        super().save(*args, **kwargs)

    @property
    def name(self):
        return f"{self.start_year}-{(self.start_year + 1) % 100:02d}"

    @property
    def starts_on(self):
        return date(self.start_year, 7, 1)

    @property
    def ends_on(self):
        return date(self.start_year + 1, 6, 30)

    @staticmethod
    def start_year_containing(day):
        return day.year if day.month >= 7 else day.year - 1

    def fill_defaults(self):
        """Give every date left empty its default."""
        if self.start_year is None:
            return
        for field, value in default_dates(self.start_year).items():
            if getattr(self, field) is None:
                setattr(self, field, value)

    def window(self, key):
        return Window(
            key,
            self.WINDOW_LABELS[key],
            getattr(self, f"{key}_opens"),
            getattr(self, f"{key}_closes"),
        )

    def cpm_window(self, stage):
        return self.window(CpmStage(stage).value)

    @property
    def cpm_windows(self):
        return [self.cpm_window(stage) for stage in CpmStage]

    @property
    def windows(self):
        return [*self.cpm_windows, self.window("spf_sharing")]

    def clean(self):
        self.fill_defaults()
        if self.start_year is None:
            return
        errors = {}
        first, last = self.starts_on, self.ends_on
        for key, label in self.WINDOW_LABELS.items():
            opens, closes = getattr(self, f"{key}_opens"), getattr(self, f"{key}_closes")
            if not first <= opens <= last:
                errors[f"{key}_opens"] = (
                    f"The {label} window must open within the school year "
                    f"{self.name} ({_day(first)} – {_day(last)})."
                )
            if not first <= closes <= last:
                errors[f"{key}_closes"] = (
                    f"The {label} window must close within the school year "
                    f"{self.name} ({_day(first)} – {_day(last)})."
                )
            elif closes < opens:
                errors[f"{key}_closes"] = f"The {label} window cannot close before it opens."
        if not first <= self.essa_plan_due <= last:
            errors["essa_plan_due"] = (
                f"The ESSA action plan must be due within the school year {self.name} "
                f"({_day(first)} – {_day(last)})."
            )
        # The three CPM meetings come in order, so their windows may not overlap.
        stages = list(CpmStage)
        for earlier, later in zip(stages, stages[1:], strict=False):
            if f"{later.value}_opens" in errors or f"{earlier.value}_closes" in errors:
                continue
            if self.cpm_window(later).opens <= self.cpm_window(earlier).closes:
                errors.setdefault(
                    f"{later.value}_opens",
                    f"The {later.label} window must open after the {earlier.label} window "
                    f"closes ({_day(self.cpm_window(earlier).closes)}).",
                )
        if errors:
            raise ValidationError(errors)


# --- Memberships ----------------------------------------------------------------------------


class Role(models.TextChoices):
    DISTRICT_STAFF = "district_staff", "District staff"
    CIM_LEAD = "cim_lead", "CIM team lead"
    CIM_MEMBER = "cim_member", "CIM team member"
    TA_PROVIDER = "ta_provider", "TA provider"
    PRINCIPAL = "principal", "Principal"
    SCHOOL_STAFF = "school_staff", "School staff / teacher"
    CADRE_MEMBER = "cadre_member", "Cadre member"


DISTRICT_ROLES = frozenset({Role.DISTRICT_STAFF, Role.CIM_LEAD, Role.CIM_MEMBER, Role.TA_PROVIDER})
SCHOOL_ROLES = frozenset({Role.PRINCIPAL, Role.SCHOOL_STAFF, Role.CADRE_MEMBER})


class CadreGroup(models.TextChoices):
    """Who makes up a Parent (Family) and Community Cadre (seed 004)."""

    PARENT = "parent", "Parent / family member"
    COMMUNITY = "community", "Community member"
    STUDENT = "student", "Student"
    TEACHER = "teacher", "Teacher"
    ADMINISTRATOR = "administrator", "Administrator"


class Membership(models.Model):
    """A person's role, scoped to one district or one school."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=20, choices=Role)
    district = models.ForeignKey(
        District, null=True, blank=True, on_delete=models.CASCADE, related_name="memberships"
    )
    school = models.ForeignKey(
        School, null=True, blank=True, on_delete=models.CASCADE, related_name="memberships"
    )
    cadre_group = models.CharField(
        max_length=20,
        choices=CadreGroup,
        blank=True,
        help_text="For cadre members: whom they represent.",
    )

    class Meta:
        ordering = ["user", "role"]
        constraints = [
            models.CheckConstraint(
                name="membership_scope_matches_role",
                condition=(
                    Q(role__in=DISTRICT_ROLES, district__isnull=False, school__isnull=True)
                    | Q(role__in=SCHOOL_ROLES, school__isnull=False, district__isnull=True)
                ),
            ),
            models.UniqueConstraint(
                fields=["user", "role", "district"],
                condition=Q(school__isnull=True),
                name="one_district_membership_per_role",
            ),
            models.UniqueConstraint(
                fields=["user", "role", "school"],
                condition=Q(district__isnull=True),
                name="one_school_membership_per_role",
            ),
        ]

    def __str__(self):
        return f"{self.user} – {self.get_role_display()}, {self.scope}"

    @property
    def scope(self):
        return self.school or self.district

    def clean(self):
        role = self.get_role_display()
        if self.role in SCHOOL_ROLES:
            if self.school_id is None:
                raise ValidationError(
                    {"school": f"A {role.lower()} belongs to a school: choose one."}
                )
            if self.district_id is not None:
                raise ValidationError(
                    {"district": f"A {role.lower()} belongs to a school, not to a whole district."}
                )
        elif self.role in DISTRICT_ROLES:
            if self.district_id is None:
                raise ValidationError(
                    {"district": f"A {role.lower()} belongs to a district: choose one."}
                )
            if self.school_id is not None:
                raise ValidationError(
                    {"school": f"A {role.lower()} works for a whole district, not one school."}
                )
            # seed 001: only Intensive LEAs are assigned a Technical Assistance provider.
            if self.role == Role.TA_PROVIDER and not self.district.is_intensive:
                raise ValidationError(
                    {
                        "district": f"{self.district} is not in Intensive monitoring "
                        f"({self.district.get_cim_status_display()}); only Intensive "
                        "districts have a TA provider."
                    }
                )
        if self.cadre_group and self.role != Role.CADRE_MEMBER:
            raise ValidationError({"cadre_group": "Only cadre members represent a cadre group."})
