"""The core: districts, schools, school years with their windows, and who belongs where."""

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from schoolplan import clock


class User(AbstractUser):
    """A person with an account. Families have none: they read what a school publishes."""

    # Who the district's student information system says this is (issue 21): the roster import
    # finds the person again by it, however their name or e-mail changed.
    roster_district = models.ForeignKey(
        "schoolplan.District",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="The district whose roster import keeps this account.",
    )
    sourced_id = models.CharField(
        "roster sourcedId", max_length=255, blank=True, help_text="The id in the district's SIS."
    )

    class Meta(AbstractUser.Meta):
        swappable = "AUTH_USER_MODEL"
        constraints = [
            models.UniqueConstraint(
                fields=["roster_district", "sourced_id"],
                condition=~models.Q(sourced_id=""),
                name="user_sourced_id_unique_in_district",
            )
        ]

    @property
    def display_name(self):
        return self.name_of(self.first_name, self.last_name, self.username)

    @staticmethod
    def name_of(first_name, last_name, username):
        """How a person is named on pages and e-mails, from the columns alone (pages that read
        many rows as values, e.g. the dashboard's late records, name people without instances)."""
        return f"{first_name} {last_name}".strip() or username

    @property
    def roles_ended(self):
        """A rostered account with no current membership: the roster ended them all. It stays
        for the record and signs in no more, with a password or through the district."""
        return self.roster_district_id is not None and not self.memberships.exists()

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
    # Single sign-on (schoolplan/sso.py): whether a sign-in through the district's identity
    # provider may stand for SchoolPlan's second step.
    sso_enforces_mfa = models.BooleanField(
        "identity provider enforces two-factor sign-in",
        default=False,
        help_text="Tick only if the district's identity provider requires a second factor of "
        "everyone who signs in to SchoolPlan. Then a sign-in through it whose token says a "
        "second factor was used needs no SchoolPlan code.",
    )
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


# Languages families speak at home; a school lists those it offers interpretation in. Their
# names are in the reader's language (the families' pages, their e-mails and calendar files).
FAMILY_LANGUAGES = [
    ("en", _("English")),
    ("es", _("Spanish")),
    ("vi", _("Vietnamese")),
    ("zh", _("Chinese")),
    ("tl", _("Tagalog")),
    ("ar", _("Arabic")),
    ("ko", _("Korean")),
    ("ru", _("Russian")),
    ("so", _("Somali")),
    ("hmn", _("Hmong")),
    ("pa", _("Punjabi")),
    ("am", _("Amharic")),
    ("ne", _("Nepali")),
    ("fr", _("French")),
    ("pt", _("Portuguese")),
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
        help_text="The end of the address of the school's family pages, as in "
        "/families/valdez-elementary/.",
    )
    sourced_id = models.CharField(
        "roster sourcedId",
        max_length=255,
        blank=True,
        help_text="The school's id in the district's SIS (kept by the roster import).",
    )

    objects = SchoolQuerySet.as_manager()

    permission_scope = {"district": "district_id", "school": "id"}

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["district", "name"], name="school_name_unique_in_district"
            ),
            models.UniqueConstraint(
                fields=["district", "sourced_id"],
                condition=~models.Q(sourced_id=""),
                name="school_sourced_id_unique_in_district",
            ),
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
        return [str(FAMILY_LANGUAGE_NAMES.get(code, code)) for code in self.family_languages]

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
