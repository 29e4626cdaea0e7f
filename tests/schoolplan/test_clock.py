"""The one clock: nothing reads the system time except schoolplan/clock.py (and, in the tests,
tests/clock.py's base date). A date rule that reads the server's clock or zone directly is how
the suite broke on 1 December and how a Denver window would close at Los Angeles' midnight."""

import ast
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError

from schoolplan import clock as app_clock
from schoolplan.models import District

from ..clock import YEAR, on

ROOT = Path(__file__).resolve().parents[2]
APP_PACKAGES = ["schoolplan", "meetings", "plans", "progress", "bench"]
# Readings of the system time that bypass the clock (and so the district's zone).
FORBIDDEN = {
    ("timezone", "now"),
    ("timezone", "localdate"),
    ("timezone", "localtime"),
    ("date", "today"),
    ("datetime", "now"),
    ("datetime", "today"),
    ("datetime", "utcnow"),
    ("time", "time"),
}
ALLOWED_FILES = {"schoolplan/clock.py", "tests/clock.py"}


def _readings(path):
    tree = ast.parse(path.read_text(), filename=str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            owner = node.func.value
            name = owner.id if isinstance(owner, ast.Name) else getattr(owner, "attr", None)
            if (name, node.func.attr) in FORBIDDEN:
                # timezone.localtime(x) / localdate(x) of a given moment converts; it does not
                # read the clock, but it converts to the *server's* zone: also the clock's job.
                yield node.lineno, f"{name}.{node.func.attr}()"


def _sources(folders):
    for folder in folders:
        for path in sorted((ROOT / folder).rglob("*.py")):
            relative = path.relative_to(ROOT).as_posix()
            if "/migrations/" in relative or relative in ALLOWED_FILES:
                continue
            yield relative, path


def test_app_code_reads_time_only_through_the_clock():
    found = [
        f"{relative}:{line}: {call}"
        for relative, path in _sources(APP_PACKAGES)
        for line, call in _readings(path)
    ]
    assert not found, "Use schoolplan.clock instead of:\n" + "\n".join(found)


def test_tests_read_time_only_through_the_clock_fixture():
    found = [
        f"{relative}:{line}: {call}"
        for relative, path in _sources(["tests"])
        if relative != "tests/schoolplan/test_clock.py"
        for line, call in _readings(path)
        if call != "time.time()"  # durations and deadlines of waits, not dates
    ]
    assert not found, "State the date with tests/clock.py (clock.set, on, YEAR):\n" + "\n".join(
        found
    )


def test_the_clock_fixture_moves_what_the_code_reads(clock):
    clock.set(on(12, 1))
    assert clock.today() == on(12, 1) == app_clock.today(ZoneInfo("America/Los_Angeles"))
    assert clock.now() == clock.now()  # time stands still unless asked to tick
    clock.advance(days=1)
    assert clock.today() == on(12, 2)


@pytest.mark.calendar
def test_today_is_the_districts_date(clock, db):
    riverbend = District(name="Riverbend", time_zone="America/Los_Angeles")
    lakeside = District(name="Lakeside", time_zone="America/Denver")
    # 07:30 UTC on 1 Dec is still 30 Nov in Los Angeles (23:30) and 1 Dec in Denver (00:30).
    clock.set(datetime(YEAR, 12, 1, 7, 30, tzinfo=ZoneInfo("UTC")))
    assert app_clock.today(riverbend) == date(YEAR, 11, 30)
    assert app_clock.today(lakeside) == date(YEAR, 12, 1)


def test_wall_time_survives_daylight_saving():
    lakeside = District(name="Lakeside", time_zone="America/Denver")
    march = app_clock.at(on(3, 15), "17:30", lakeside)  # after the US change to daylight time
    november = app_clock.at(on(11, 16), "17:30", lakeside)
    assert march.utcoffset() != november.utcoffset()
    assert app_clock.local(march, lakeside).strftime("%H:%M") == "17:30"
    assert app_clock.local(november, lakeside).strftime("%H:%M") == "17:30"
    assert app_clock.midnight_after(on(11, 30), lakeside) == app_clock.at(
        on(12, 1), "00:00", lakeside
    )


def test_time_zone_must_be_a_real_zone(db):
    district = District(name="Nowhere USD", time_zone="Mars/Olympus_Mons")
    with pytest.raises(ValidationError) as refused:
        district.full_clean()
    assert "is not a time zone name" in str(refused.value)
    district.time_zone = "America/Denver"
    district.full_clean()


def test_a_new_district_starts_in_the_default_zone(db, settings):
    settings.TIME_ZONE = "America/Chicago"
    assert District.objects.create(name="Des Moines PS").time_zone == "America/Chicago"


def test_district_form_offers_zones_as_a_select():
    field = District._meta.get_field("time_zone").formfield()
    values = [value for value, _ in field.choices]
    assert {"America/Denver", "America/Los_Angeles", "America/Chicago"} <= set(values)
    assert "Mars/Olympus_Mons" not in values
