"""One school-year in twenty states, and the same answer on every surface (issue 19).

The requirement model (meetings.cpm for CPM, SPF and Title I; plans.essa for the ESSA plan)
decides; the CPM year page, the school page, the compliance dashboard and its CSV, the
principal's home page and the reminder rules only read it. Each state is built with the same
Title I, targeted-support school, and every surface is asked what it says about it."""

import csv
import io
import re
from datetime import datetime, time

import pytest
from django.urls import reverse
from django.utils.html import escape

from meetings.cpm import KINDS, cpm_year, requirements_for
from meetings.models import Meeting, MeetingStatus, MeetingType
from plans.essa import essa_standing
from plans.models import EssaPlan, EssaPlanStatus
from progress import compliance
from progress.models import SpfSummary
from schoolplan import deadlines
from schoolplan.models import EssaDesignation, Role

from ..clock import DEFAULT_ZONE, YEAR, on
from ..factories import SchoolFactory, member
from ..meeting_helpers import at

pytestmark = [pytest.mark.django_db, pytest.mark.calendar]

HELD, PLANNED, CANCELLED = MeetingStatus.HELD, MeetingStatus.PLANNED, MeetingStatus.CANCELLED


def meeting(kind, day, status=PLANNED, stage="", **flags):
    return {"kind": kind, "day": day, "status": status, "stage": stage, **flags}


def cpm(stage, day, status=PLANNED, **flags):
    return meeting(MeetingType.CPM, day, status, stage, **flags)


def plan(status, submitted=None, late=False):
    return {"status": status, "submitted": submitted, "late": late}


# (name, today, meetings, family summary published on, ESSA plan, expected states)
# The expected states: kick_off, check_in, wrap_up, spf, title_i, essa.
STATES = [
    (
        "before the year starts",
        on(6, 20, start_year=YEAR - 1),
        [],
        None,
        None,
        ("upcoming", "upcoming", "upcoming", "upcoming", "upcoming", "upcoming"),
    ),
    (
        "first day of Kick Off, nothing done",
        on(8, 1),
        [],
        None,
        None,
        ("due", "upcoming", "upcoming", "upcoming", "due", "due"),
    ),
    (
        "Kick Off scheduled",
        on(9, 1),
        [cpm("kick_off", on(9, 20))],
        None,
        None,
        ("scheduled", "upcoming", "upcoming", "upcoming", "due", "due"),
    ),
    (
        "Kick Off passed, minutes due",
        on(9, 25),
        [cpm("kick_off", on(9, 20))],
        None,
        None,
        ("awaiting_minutes", "upcoming", "upcoming", "upcoming", "due", "due"),
    ),
    (
        "Kick Off held",
        on(9, 25),
        [cpm("kick_off", on(9, 20), HELD)],
        None,
        None,
        ("met", "upcoming", "upcoming", "upcoming", "due", "due"),
    ),
    (
        "Kick Off cancelled, window open",
        on(10, 1),
        [cpm("kick_off", on(9, 20), CANCELLED)],
        None,
        None,
        ("due", "upcoming", "upcoming", "upcoming", "due", "due"),
    ),
    (
        "combined Kick Off held in the SPF window",
        on(10, 25),
        [
            cpm(
                "kick_off",
                on(10, 22),
                HELD,
                counts_as_spf_meeting=True,
                counts_as_title_i_meeting=True,
            )
        ],
        None,
        None,
        ("met", "upcoming", "upcoming", "met", "met", "due"),
    ),
    (
        "combined Kick Off held before the SPF window",
        on(10, 25),
        [cpm("kick_off", on(10, 2), HELD, counts_as_spf_meeting=True)],
        None,
        None,
        ("met", "upcoming", "upcoming", "due", "due", "due"),
    ),
    (
        "family summary published in the SPF window",
        on(11, 2),
        [],
        on(10, 28),
        None,
        ("due", "upcoming", "upcoming", "met", "due", "due"),
    ),
    (
        "family summary published after the SPF window",
        on(11, 20),
        [],
        on(11, 15),
        None,
        ("due", "upcoming", "upcoming", "missed", "due", "due"),
    ),
    (
        "SPF meeting scheduled in the window",
        on(10, 21),
        [meeting(MeetingType.SPF, on(11, 5))],
        None,
        None,
        ("due", "upcoming", "upcoming", "scheduled", "due", "due"),
    ),
    (
        "Kick Off window closed with nothing",
        on(12, 1),
        [],
        None,
        None,
        ("missed", "due", "upcoming", "missed", "due", "due"),
    ),
    (
        "Title I meeting held on its own",
        on(12, 10),
        [meeting(MeetingType.TITLE_I_PARENT, on(12, 3), HELD)],
        None,
        None,
        ("missed", "due", "upcoming", "missed", "met", "due"),
    ),
    (
        "Check In scheduled, Kick Off held",
        on(12, 10),
        [cpm("kick_off", on(9, 20), HELD), cpm("check_in", on(1, 20))],
        None,
        None,
        ("met", "scheduled", "upcoming", "missed", "due", "due"),
    ),
    (
        "ESSA plan in draft in April",
        on(4, 20),
        [],
        None,
        plan(EssaPlanStatus.DRAFT),
        ("missed", "missed", "due", "missed", "due", "partial"),
    ),
    (
        "ESSA plan submitted on time",
        on(5, 20),
        [],
        None,
        plan(EssaPlanStatus.SUBMITTED, on(5, 14)),
        ("missed", "missed", "due", "missed", "due", "met"),
    ),
    (
        "ESSA plan submitted late",
        on(5, 20),
        [],
        None,
        plan(EssaPlanStatus.SUBMITTED, on(5, 16), late=True),
        ("missed", "missed", "due", "missed", "due", "late"),
    ),
    (
        "ESSA plan accepted, submitted late",
        on(6, 1),
        [],
        None,
        plan(EssaPlanStatus.ACCEPTED, on(5, 16), late=True),
        ("missed", "missed", "due", "missed", "due", "late"),
    ),
    (
        "ESSA plan returned after May 15",
        on(5, 20),
        [],
        None,
        plan(EssaPlanStatus.RETURNED, on(5, 10)),
        ("missed", "missed", "due", "missed", "due", "missed"),
    ),
    (
        "the year's last day, Wrap Up held, no Title I meeting",
        on(6, 30),
        [cpm("wrap_up", on(5, 5), HELD)],
        None,
        None,
        ("missed", "missed", "met", "missed", "due", "missed"),
    ),
]
KEYS = ("kick_off", "check_in", "wrap_up", "spf", "title_i")


def _build(school, year, meetings, published, essa, principal):
    for m in meetings:
        Meeting.objects.create(
            district=school.district,
            school=school,
            school_year=year,
            meeting_type=m["kind"],
            cpm_stage=m["stage"],
            title=f"{m['kind']} {m['stage']}",
            starts_at=at(m["day"], 17),
            ends_at=at(m["day"], 19),
            status=m["status"],
            counts_as_spf_meeting=m.get("counts_as_spf_meeting", False),
            counts_as_title_i_meeting=m.get("counts_as_title_i_meeting", False),
        )
    if published:
        SpfSummary.objects.create(
            school=school,
            school_year=year,
            texts={"en": "Our results"},
            published_at=at(published, 12),
        )
    if essa:
        submitted = essa["submitted"]
        EssaPlan.objects.create(
            school=school,
            school_year=year,
            status=essa["status"],
            submitted_at=at(submitted, 12) if submitted else None,
            submitted_by=principal if submitted else None,
            submitted_late=essa["late"],
        )


@pytest.mark.parametrize(
    ("name", "today", "meetings", "published", "essa", "expected"),
    STATES,
    ids=[s[0] for s in STATES],
)
def test_every_surface_gives_the_same_answer(
    client, clock, district, school_year, name, today, meetings, published, essa, expected
):
    school = SchoolFactory(
        district=district, title_i=True, essa_designation=EssaDesignation.TARGETED
    )
    principal = member(Role.PRINCIPAL, school)
    staff = member(Role.DISTRICT_STAFF, district)
    year = school_year
    _build(school, year, meetings, published, essa, principal)
    clock.set(datetime.combine(today, time(12), tzinfo=DEFAULT_ZONE))
    want = dict(zip((*KEYS, "essa"), expected, strict=True))

    # The model, one school and many at once.
    glance = {r.key: r for r in cpm_year(school, year, today).requirements}
    bulk = {r.key: r for r in requirements_for([school], year, today)[school.pk]}
    assert {k: glance[k].state for k in KEYS} == {k: want[k] for k in KEYS}, name
    assert {k: bulk[k].state for k in KEYS} == {k: glance[k].state for k in KEYS}
    standing = essa_standing(school, EssaPlan.objects.filter(school=school).first(), year, today)
    assert standing.state == want["essa"], name

    # The dashboard's cells: the model's kind and words.
    [row] = compliance.compute(district, year, today, [school])
    for key in KEYS:
        assert (row.cells[key].state, row.cells[key].text) == (
            KINDS[glance[key].state],
            glance[key].short,
        ), (name, key)
    assert (row.cells["essa"].state, row.cells["essa"].text) == (standing.state, standing.text)
    if essa and essa["late"]:
        assert "late" in row.cells["essa"].text  # accepted or not, the district sees May 15 missed

    # The dashboard page and its CSV say the same.
    client.force_login(staff)
    dashboard = reverse("compliance", args=[district.pk])
    page = client.get(dashboard, {"year": year.start_year}).content.decode()
    exported = client.get(dashboard, {"year": year.start_year, "format": "csv"})
    [csv_row] = [
        r
        for r in csv.DictReader(io.StringIO(exported.content.decode("utf-8-sig")))
        if r["School"] == school.name
    ]
    for key, label in compliance.REQUIREMENTS:
        assert escape(row.cells[key].text) in page, (name, key)
        assert csv_row[label] == row.cells[key].text, (name, key)
    assert csv_row["Gap"] == ("Yes" if row.has_gap else "No")

    # The school page's row (of the year under way: in the June before, none), and the CPM
    # year page's sentences.
    school_page = client.get(school.get_absolute_url()).content.decode()
    for key, _label in compliance.REQUIREMENTS:
        shown = escape(row.cells[key].text) in school_page
        assert shown or today < year.starts_on, (name, key)
    client.force_login(principal)
    year_page = client.get(reverse("cpm_year", args=[school.pk]), {"year": year.start_year})
    for key in KEYS:
        assert escape(glance[key].message) in year_page.content.decode(), (name, key)

    # The reminder rules and the principal's home page.
    found = deadlines.for_user(principal)
    for key in KEYS:
        label = glance[key].label
        rules = {d.rule for d in found if f": {label}" in d.title or f"the {label} " in d.title}
        if key == "spf":
            rules = {d.rule for d in found if "SPF" in d.title}
        state = glance[key].state
        if state == "due" and key in ("kick_off", "check_in", "wrap_up"):
            assert rules == {"cpm-window"}, (name, key, rules)
        elif state in ("met", "scheduled") or (
            state == "upcoming"
            and (glance[key].window is None or (glance[key].window.opens - today).days > 30)
        ):
            assert not rules, (name, key, rules)
        elif state != "upcoming" and not (state == "due" and key == "spf"):
            assert rules == {f"cpm-{state}"}, (name, key, rules)
    essa_items = [d for d in found if d.rule.startswith("essa-plan")]
    # Every plan not handed in shows, in the year under way (the June before has no deadline).
    assert bool(essa_items) == (not standing.handed_in and today >= year.starts_on), name
    home = client.get(reverse("home")).content.decode()
    for d in found:
        assert escape(d.title) in home, (name, d.title)
    assert not re.search(r"Traceback|Server Error", home)
