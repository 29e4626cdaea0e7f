"""A district's school year (July 1 to June 30): its CPM and SPF windows, its ESSA due date, the
defaults of DOMAIN.md."""

from dataclasses import dataclass
from datetime import date

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.dateformat import format as format_date

from .organisation import District


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
        """The district's year starting in `chosen` (an int: the page parses what was posted,
        schoolplan.forms.posted_year), else the one containing day; None when neither is set
        up."""
        year = None
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
