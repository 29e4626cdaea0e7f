"""What the progress app carries into the next school year (schoolplan/next_year.py): the CIM
progress report due dates, recomputed from the district's monitoring status (seed 001:
Intensive quarterly, Targeted twice a year; progress/reports.py)."""

from django.utils.dateformat import format as format_date

from schoolplan.models import SchoolYear

from .reports import default_periods, ensure_due_dates


def _line(district, days):
    if not days:
        return "No CIM progress report is due (the district has no CIM status)."
    cadence = {4: "quarterly", 2: "twice a year"}[len(days)]
    listed = ", ".join(format_date(day, "j M Y") for day in days)
    return (
        f"CIM progress reports due {cadence} ({district.get_cim_status_display()}): {listed}; "
        "move them on the reports page."
    )


def preview(old):
    new = SchoolYear(district=old.district, start_year=old.start_year + 1)
    return [_line(old.district, [due for *_, due in default_periods(old.district, new)])]


def copy(old, new, *, user):
    dues = ensure_due_dates(new.district, new)
    return [_line(new.district, [due.due_on for due in dues])]
