"""The demo's calendar: the years it builds and the days its meetings fall on.

Every demo date is read from the district's today (schoolplan.clock), so `make run` shows a live
year whatever the date: the year containing today with its open or next window, and the year
before with what was held in it (in July the new year has not started its windows yet).
"""

from datetime import timedelta

from schoolplan import clock
from schoolplan.models import SchoolYear

# Community meetings fall on a Tuesday, Wednesday or Thursday evening.
MEETING_WEEKDAYS = (1, 2, 3)


def demo_years(district):
    """(the year before, the year containing the district's today), as the core built them."""
    start_year = SchoolYear.start_year_containing(clock.today(district))
    years = {
        year.start_year: year
        for year in SchoolYear.objects.filter(
            district=district, start_year__in=(start_year - 1, start_year)
        )
    }
    return years.get(start_year - 1), years.get(start_year)


def meeting_day(day, window=None):
    """The first meeting weekday from `day` on; inside `window` when given (the last one before
    it closes if none is left after `day`)."""
    found = day
    while found.weekday() not in MEETING_WEEKDAYS:
        found += timedelta(days=1)
    if window is None or found <= window.closes:
        return found
    found = window.closes
    while found.weekday() not in MEETING_WEEKDAYS and found > window.opens:
        found -= timedelta(days=1)
    return found
