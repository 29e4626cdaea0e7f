"""What the progress app carries into the next school year (schoolplan/next_year.py): the CIM
progress report due dates, from the CIM level the new year starts with, the one in force at the
end of the old year (seed 001: Intensive quarterly, Targeted twice a year; progress/reports.py)."""

from django.utils.dateformat import format as format_date

from schoolplan import cim_levels
from schoolplan.models import SchoolYear

from .reports.periods import default_periods, ensure_due_dates


def _line(district, year, days):
    if not days:
        return "No CIM progress report is due (the district has no CIM status)."
    listed = ", ".join(format_date(day, "j M Y") for day in days)
    level = cim_levels.summary(cim_levels.levels_of(district, year))
    return f"CIM progress reports due ({level}): {listed}; move them on the reports page."


def preview(old):
    # The new year starts with the level in force at the end of the old one (cim_levels).
    new = SchoolYear(district=old.district, start_year=old.start_year + 1)
    days = [period.due_on for period in default_periods(old.district, new)]
    return [_line(old.district, new, days)]


def copy(old, new, *, user):
    dues = ensure_due_dates(new.district, new)
    return [_line(new.district, new, [due.due_on for due in dues])]
