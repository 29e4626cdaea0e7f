"""Between two school years: what comes next (issue 17).

After the last window of a year closes, and from 1 July until the new year's first window opens,
no window is open and nothing falls due: the pages must still say what comes next ("2027-28
starts on 1 July; Kick Off opens 1 Aug 2027", or "2027-28 is not set up yet: district staff start
it from the district page"), never show nothing. The home cards, the compliance dashboard and the
CPM year page read `Outlook`; the reminder rule below tells district staff to start the next year.
"""

from dataclasses import dataclass
from datetime import date, timedelta

from django.urls import reverse
from django.utils.dateformat import format as format_date
from django.utils.translation import gettext_noop

from .deadlines import Deadline, current_occasion, in_scope, people_by, rule
from .models import District, ReminderCategory, Role, SchoolYear
from .next_year import year_name
from .phrases import Day, Phrase

START_DAYS_BEFORE = (30, 14, 3)  # reminders to start the next year, before 1 July (default)


def _day(value):
    return format_date(value, "j M Y")


@dataclass
class Outlook:
    """A district's years around today: the one containing it, the one before and the next."""

    district_id: int
    today: date
    previous: SchoolYear | None = None
    current: SchoolYear | None = None
    next: SchoolYear | None = None

    @property
    def start_year(self):
        return SchoolYear.start_year_containing(self.today)

    @property
    def state(self):
        """ "not_set_up": no year contains today; "starting": the year has begun and its first
        window has not opened; "ended": its last window has closed; "" inside the year."""
        year = self.current
        if year is None:
            return "not_set_up"
        if self.today < min(w.opens for w in year.windows):
            return "starting"
        if self.today > max(w.closes for w in year.windows):
            return "ended"
        return ""

    @property
    def next_name(self):
        """The name of the year that comes next: the one to start, or the one starting."""
        start = self.start_from.start_year + 1 if self.start_from else self.start_year + 1
        return year_name(start)

    @property
    def between_years(self):
        return self.state != ""

    @property
    def shown_year(self):
        """The year a page shows by default: the current one, else the one just ended."""
        return self.current or self.previous

    @property
    def start_from(self):
        """The year district staff start the missing next one from, if one is missing."""
        if self.current is None:
            return self.previous
        if self.state == "ended" and self.next is None:
            return self.current
        return None

    @property
    def start_url(self):
        year = self.start_from
        if year is None:
            if self.current is None:
                return reverse("school_year_create", args=[self.district_id])
            return ""
        return reverse("school_year_next", args=[self.district_id, year.pk])

    def _first_window(self, year):
        first = min(year.windows, key=lambda w: w.opens)
        return f"{first.label} opens on {_day(first.opens)}"

    @property
    def text(self):
        """What comes next, in one or two sentences; "" inside a year."""
        state = self.state
        if state == "not_set_up":
            name = year_name(self.start_year)
            if self.previous is None:
                return (
                    f"No school year {name} is set up yet: district staff set it up from the "
                    "district page."
                )
            return (
                f"{name} is not set up yet: district staff start it from the district page. "
                f"{self.previous.name} ended on {_day(self.previous.ends_on)}."
            )
        if state == "starting":
            return (
                f"The {self.current.name} school year has started; "
                f"{self._first_window(self.current)}."
            )
        if state == "ended":
            closed = f"All of {self.current.name}'s windows have closed."
            if self.next is None:
                name = year_name(self.current.start_year + 1)
                return (
                    f"{closed} {name} is not set up yet: district staff start it from the "
                    "district page."
                )
            return (
                f"{closed} The {self.next.name} school year starts on "
                f"{_day(self.next.starts_on)}; {self._first_window(self.next)}."
            )
        return ""


def outlooks(todays):
    """{district id: Outlook} for {district id: its today} (1 query)."""
    found = {district_id: Outlook(district_id, today) for district_id, today in todays.items()}
    wanted = {
        SchoolYear.start_year_containing(today) + shift
        for today in todays.values()
        for shift in (-1, 0, 1)
    }
    for year in SchoolYear.objects.filter(district_id__in=found, start_year__in=wanted):
        found_one = found[year.district_id]
        slot = {-1: "previous", 0: "current", 1: "next"}.get(year.start_year - found_one.start_year)
        if slot:
            setattr(found_one, slot, year)
    return found


def outlook(district, today):
    district_id = getattr(district, "pk", district)
    return outlooks({district_id: today})[district_id]


# --- The reminder ------------------------------------------------------------------------------


@rule
def next_year_not_started(today, scope, reach):
    """District staff start the next school year before 1 July; after that, until they do,
    schools see no windows (a weekly reminder)."""
    start = SchoolYear.start_year_containing(today)
    last_day = date(start + 1, 6, 30)
    districts = list(
        in_scope(District.objects.all(), scope, district="pk").values_list("pk", "name")
    )
    held = {}
    for district_id, start_year, pk in SchoolYear.objects.filter(
        district__in=[d[0] for d in districts], start_year__in=(start - 1, start, start + 1)
    ).values_list("district_id", "start_year", "pk"):
        held.setdefault(district_id, {})[start_year] = pk
    staff = people_by("district", [Role.DISTRICT_STAFF], [d[0] for d in districts])
    for district_id, name in districts:
        years = held.get(district_id, {})
        if start not in years and start - 1 in years:
            late = (today - date(start, 7, 1)).days
            yield Deadline(
                rule="school-year-next",
                category=ReminderCategory.SCHOOL_YEAR,
                subject=f"district:{district_id}",
                occasion=f"{start}-late-week-{late // 7}",
                title=Phrase(
                    gettext_noop(
                        "%(district)s: the %(year)s school year is not set up, so schools see no "
                        "windows. Start it from %(previous)s."
                    ),
                    district=name,
                    year=year_name(start),
                    previous=year_name(start - 1),
                ),
                due_on=date(start, 6, 30),
                link=reverse("school_year_next", args=[district_id, years[start - 1]]),
                recipients=staff.get(district_id, []),
                level="danger",
            )
        elif start in years and start + 1 not in years:
            left = (last_day - today).days
            if left > max(START_DAYS_BEFORE):
                continue
            days = current_occasion(last_day, today, START_DAYS_BEFORE, reach)
            yield Deadline(
                rule="school-year-next",
                category=ReminderCategory.SCHOOL_YEAR,
                subject=f"district:{district_id}",
                occasion=f"{start + 1}-{days}d" if days else None,
                title=Phrase(
                    gettext_noop(
                        "%(district)s: start the %(year)s school year before %(day)s "
                        "(%(left)s day left)"
                    )
                    if left == 1
                    else gettext_noop(
                        "%(district)s: start the %(year)s school year before %(day)s "
                        "(%(left)s days left)"
                    ),
                    district=name,
                    year=year_name(start + 1),
                    day=Day(last_day + timedelta(days=1)),
                    left=left,
                ),
                due_on=last_day,
                link=reverse("school_year_next", args=[district_id, years[start]]),
                recipients=staff.get(district_id, []),
                level="warning" if left <= 14 else "info",
            )
