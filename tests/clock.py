"""The tests' one clock.

No test reads the real "today". The suite has a *base date*: `SCHOOLPLAN_TODAY` (YYYY-MM-DD)
when it is set, else the date the run started. `YEAR` is the school year containing it (2026
for 2026-27), and tests build their school years from it and state every date relative to it:
`on(10, 5)` is 5 October of that school year, `on(3, 15)` the next March. The `clock` fixture
(tests/conftest.py) then sets the moment a test means, with time-machine, for the code under
test, the live server's thread included; browser tests also set the page's clock.

`.ci/run` runs the tests marked `calendar` again at the dates that have broken us (a window
opening or closing, May 15, the year's end), by setting SCHOOLPLAN_TODAY: the fixture travels
there, nothing fakes the system clock.
"""

import os
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import time_machine

# The zone a test's district is in unless the test says otherwise (settings.TIME_ZONE's default).
DEFAULT_ZONE = ZoneInfo("America/Los_Angeles")

_given = os.environ.get("SCHOOLPLAN_TODAY", "").strip()
# Read once, before any test moves the clock: the only reading of the real date in the suite.
BASE_DATE = date.fromisoformat(_given) if _given else date.today()  # noqa: DTZ011
BASE_IS_GIVEN = bool(_given)
YEAR = BASE_DATE.year if BASE_DATE.month >= 7 else BASE_DATE.year - 1


def year_name(start_year=None):
    """ "2026-27" for the school year starting in 2026."""
    start_year = YEAR if start_year is None else start_year
    return f"{start_year}-{(start_year + 1) % 100:02d}"


def on(month, day, start_year=None):
    """The date month/day falls on in the school year (July to June) starting in start_year,
    YEAR by default: on(10, 5) is in the autumn, on(3, 15) in the spring after."""
    start_year = YEAR if start_year is None else start_year
    return date(start_year if month >= 7 else start_year + 1, month, day)


def moment(day, wall_time="12:00", zone=DEFAULT_ZONE):
    """An aware moment: wall_time ("HH:MM") on day, in zone."""
    if isinstance(wall_time, str):
        wall_time = time.fromisoformat(wall_time)
    return datetime.combine(day, wall_time, tzinfo=zone)


class Clock:
    """Moves "now" for the code under test. `set(day)` means noon of that day in the default
    district zone; `set(aware datetime)` means that moment. Time stands still unless tick=True."""

    def __init__(self):
        self._travel = None
        self.pages = []  # browser contexts whose clock follows this one

    def set(self, when, tick=False, wall_time="12:00"):
        if isinstance(when, datetime):
            target = when if when.tzinfo else when.replace(tzinfo=DEFAULT_ZONE)
        else:
            target = moment(when, wall_time)
        self.stop()
        self._travel = time_machine.travel(target, tick=tick)
        self._travel.start()
        for context in self.pages:
            self._move_page_clock(context, target)
        return target

    def follow(self, context):
        """Make a browser context's clock (Playwright's clock API) follow this one, so the page
        and the server agree on the date. Time flows on the page from the moment set."""
        self.pages.append(context)
        # A closed context has no clock to move: forget it when it closes.
        context.on("close", lambda closed: self.pages.remove(closed))
        if self._travel is not None:
            self._move_page_clock(context, self.now())

    def _move_page_clock(self, context, target):
        if getattr(context, "_schoolplan_clock_installed", False):
            context.clock.set_system_time(target)
        else:
            context.clock.install(time=target)
            context._schoolplan_clock_installed = True

    def advance(self, delta=None, **kwargs):
        """Move the clock forward: advance(timedelta(days=1)) or advance(days=1)."""
        delta = delta or timedelta(**kwargs)
        return self.set(self.now() + delta)

    def now(self):
        from django.utils import timezone

        return timezone.now()

    def today(self, zone=DEFAULT_ZONE):
        return self.now().astimezone(zone).date()

    def stop(self):
        if self._travel is not None:
            self._travel.stop()
            self._travel = None
