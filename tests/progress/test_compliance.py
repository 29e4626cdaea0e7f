"""The compliance model and the district dashboard (DOMAIN: all sections): states at their
edges, filters, the CSV matching the table, and a constant number of queries."""

import csv
import io
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from demo.management.commands.generate_district import generate
from meetings.models import Meeting, MeetingStatus, MeetingType
from plans import workflow
from progress import compliance
from schoolplan.models import EssaDesignation, Role

from ..clock import YEAR, on, year_name
from ..factories import SchoolFactory, member
from ..meeting_helpers import at, schedule
from ..pdf_helpers import assert_tagged
from ..school_plan_helpers import complete_plan

# States at the edges of windows, and pages judged as of the day each test states.
pytestmark = [pytest.mark.django_db, pytest.mark.calendar]


def cells(school, year, today):
    return compliance.compute(school.district, year, today, [school])[0].cells


def _cpm(school, year, stage, day, status=MeetingStatus.PLANNED, **flags):
    return Meeting.objects.create(
        district=school.district,
        school=school,
        school_year=year,
        meeting_type=MeetingType.CPM,
        cpm_stage=stage,
        title=stage,
        starts_at=at(day, 17),
        ends_at=at(day, 19),
        status=status,
        **flags,
    )


def test_kick_off_held_on_the_last_day_of_its_window_counts(school, school_year):
    _cpm(school, school_year, "kick_off", on(11, 30), MeetingStatus.HELD)
    cell = cells(school, school_year, on(12, 5))["kick_off"]
    assert (cell.state, cell.text) == ("met", "Held 30 Nov")


@pytest.mark.parametrize(
    ("today", "state", "text"),
    [
        (on(7, 20), "upcoming", "Opens 1 Aug"),
        (on(8, 1), "due", "Nothing scheduled, closes 30 Nov"),
        (on(11, 30), "due", "Nothing scheduled, closes 30 Nov"),
        (on(12, 1), "missed", "Missed"),
    ],
)
def test_kick_off_with_nothing_scheduled(school, school_year, today, state, text):
    cell = cells(school, school_year, today)["kick_off"]
    assert (cell.state, cell.text) == (state, text)


def test_a_cancelled_meeting_does_not_count(school, school_year):
    _cpm(school, school_year, "kick_off", on(10, 1), MeetingStatus.CANCELLED)
    assert cells(school, school_year, on(12, 1))["kick_off"].state == "missed"


def test_a_scheduled_then_passed_meeting_awaits_its_minutes(school, school_year):
    meeting = _cpm(school, school_year, "kick_off", on(10, 1))
    cell = cells(school, school_year, on(9, 1))["kick_off"]
    assert (cell.state, cell.url) == ("scheduled", meeting.get_absolute_url())
    assert cells(school, school_year, on(10, 5))["kick_off"].text == "Minutes due (1 Oct)"


def test_a_combined_meeting_counts_for_each_of_its_requirements(school, school_year):
    school.title_i = True
    school.save()
    _cpm(
        school,
        school_year,
        "kick_off",
        on(10, 28),
        MeetingStatus.HELD,
        counts_as_spf_meeting=True,
        counts_as_title_i_meeting=True,
    )
    row = cells(school, school_year, on(11, 15))
    assert [row[k].state for k in ("kick_off", "spf", "title_i")] == ["met", "met", "met"]


def test_a_non_title_i_school_has_no_title_i_requirement(school, school_year):
    school.title_i = False
    school.save()
    assert cells(school, school_year, on(11, 15))["title_i"].state == "n/a"


def test_spf_is_met_by_a_summary_published_in_the_window_only(school, school_year):
    from progress import spf
    from progress.models import SpfSummary

    summary = spf.save_texts(school, school_year, {"en": "Results"}, user=None)
    SpfSummary.objects.filter(pk=summary.pk).update(published_at=at(on(11, 11), 12))
    assert cells(school, school_year, on(11, 15))["spf"].state == "missed"
    SpfSummary.objects.filter(pk=summary.pk).update(published_at=at(on(11, 10), 12))
    assert cells(school, school_year, on(11, 15))["spf"].state == "met"


def test_essa_states_for_designated_schools(clock, school, school_year):
    clock.set(on(11, 15))  # the plan is started and submitted in November
    assert cells(school, school_year, on(11, 15))["essa"].state == "n/a"
    school.essa_designation = EssaDesignation.TARGETED
    school.save()
    assert cells(school, school_year, on(11, 15))["essa"].text == "Not started"
    assert cells(school, school_year, on(5, 16))["essa"].state == "missed"
    principal = member(Role.PRINCIPAL, school)
    plan = complete_plan(school, school_year, principal)
    assert cells(school, school_year, on(11, 15))["essa"].text == "Draft"
    workflow.submit(plan, user=principal)
    assert cells(school, school_year, on(11, 15))["essa"].state == "met"


def _dashboard(client, district, **params):
    return client.get(reverse("compliance", args=[district.pk]), params)


def test_filters_and_the_gap_filter(client, clock, district, school_year):
    clock.set(on(11, 30))  # the page's gaps are today's: Check In has not opened yet
    done = SchoolFactory(district=district, name="Done Elementary", level="elementary")
    _cpm(
        done,
        school_year,
        "kick_off",
        on(10, 28),
        MeetingStatus.HELD,
        counts_as_spf_meeting=True,
    )
    SchoolFactory(district=district, name="Lagging High", level="high", title_i=True)
    client.force_login(member(Role.DISTRICT_STAFF, district))
    page = _dashboard(client, district, year=YEAR, level="secondary").content.decode()
    assert "Lagging High" in page and "Done Elementary" not in page
    page = _dashboard(client, district, year=YEAR, title_i="yes").content.decode()
    assert "Lagging High" in page and "Done Elementary" not in page
    rows = compliance.compute(district, school_year, on(11, 30))
    gaps = {r.school.name for r in rows if r.has_gap}
    assert "Lagging High" in gaps
    page = _dashboard(client, district, year=YEAR, gap="1").content.decode()
    for row in rows:
        assert (row.school.name in page) == row.has_gap


def test_the_csv_matches_the_table(client, clock, district, school_year):
    clock.set(on(11, 30))
    for n in range(3):
        school = SchoolFactory(district=district, name=f"School {n}")
        if n:
            _cpm(school, school_year, "kick_off", on(10, 28), MeetingStatus.HELD)
    client.force_login(member(Role.DISTRICT_STAFF, district))
    response = _dashboard(client, district, year=YEAR, format="csv")
    table = list(csv.reader(io.StringIO(response.content.decode().lstrip("\ufeff"))))
    assert table[0][:5] == ["School", "Level", "Title I", "ESSA", "Kick Off"]
    rows = sorted(
        compliance.compute(district, school_year, on(11, 30)), key=lambda r: r.school.name.lower()
    )
    assert [line[0] for line in table[1:]] == [r.school.name for r in rows]
    for line, row in zip(table[1:], rows, strict=True):
        assert line[4 : 4 + len(compliance.REQUIREMENTS)] == [
            row.cells[k].text for k, _ in compliance.REQUIREMENTS
        ]
    page = _dashboard(client, district, year=YEAR).content.decode()
    for line in table[1:]:
        assert line[4] in page


def test_the_pdf_export(
    client, clock, district, school_year, eager_celery, django_capture_on_commit_callbacks
):
    clock.set(on(11, 30))
    SchoolFactory(district=district, name="Printed Elementary")
    SchoolFactory(district=district, name="Filtered Out High", level="high")
    client.force_login(member(Role.DISTRICT_STAFF, district))
    # The page's filters go with the request; the worker makes the PDF.
    page = _dashboard(client, district, year=YEAR, level="elementary").content.decode()
    assert 'name="level" value="elementary"' in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("compliance_pdf", args=[district.pk]), {"level": "elementary", "year": YEAR}
        )
    response = client.get(f"{response['Location']}download/")
    assert response["Content-Type"] == "application/pdf"
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(response.content))
    text = reader.pages[0].extract_text()
    assert "Printed Elementary" in text and "Page 1 of" in text
    assert "Filtered Out High" not in text
    assert_tagged(response.content, f"Compliance – {district.name} – {YEAR}-{(YEAR + 1) % 100:02d}")


def test_other_districts_cannot_see_the_dashboard(client, district, school_year, other_school):
    client.force_login(member(Role.DISTRICT_STAFF, other_school.district))
    assert _dashboard(client, district).status_code == 404
    client.force_login(member(Role.PRINCIPAL, SchoolFactory(district=district)))
    assert _dashboard(client, district).status_code == 404


def _queries(client, district):
    with CaptureQueriesContext(connection) as context:
        response = client.get(reverse("compliance", args=[district.pk]), {"year": YEAR})
    assert response.status_code == 200
    return len(context.captured_queries)


def test_the_dashboard_query_count_does_not_grow_with_schools(client, clock):
    clock.set(on(11, 30))
    small, _ = generate(10, start_year=YEAR, label="q10")
    large, _ = generate(300, start_year=YEAR, label="q300")
    staff = member(Role.DISTRICT_STAFF, small)
    member(Role.DISTRICT_STAFF, large, user=staff)
    client.force_login(staff)
    assert _queries(client, small) == _queries(client, large)


def test_the_schools_page_shows_its_row(client, clock, school, school_year):
    clock.set(on(11, 20))
    principal = member(Role.PRINCIPAL, school)
    schedule(school, principal, day=on(11, 28))
    client.force_login(principal)
    page = client.get(school.get_absolute_url()).content.decode()
    assert f"Requirements {year_name()}" in page and "Kick Off:" in page


def test_the_table_escapes_what_it_shows(client, clock, district, school_year):
    clock.set(on(11, 30))
    SchoolFactory(district=district, name="<script>alert(1)</script> Elementary")
    client.force_login(member(Role.DISTRICT_STAFF, district))
    page = _dashboard(client, district, year=YEAR).content.decode()
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;" in page


def test_sortable_headers_carry_aria_sort(client, school, school_year):
    staff = member(Role.DISTRICT_STAFF, school.district)
    client.force_login(staff)
    url = reverse("compliance", args=[school.district.pk])
    page = client.get(url).content.decode()
    assert '<th scope="col" aria-sort="ascending"><a href="?sort=school&amp;dir=desc"' in page
    assert 'aria-label="School, sort descending"' in page
    assert page.count('aria-sort="none"') == len(compliance.REQUIREMENTS)
    page = client.get(url, {"sort": "kick_off", "dir": "desc"}).content.decode()
    assert (
        'aria-sort="descending"><a href="?sort=kick_off" aria-label="Kick Off, sort ascending"'
        in page
    )
    assert page.count('aria-sort="none"') == len(compliance.REQUIREMENTS)


def test_every_cell_link_opens_for_its_reader(client, clock, school, school_year):
    """Gaps link to where they are fixed; a CIM lead gets no link they could not follow."""
    clock.set(on(12, 5))
    school.essa_designation = EssaDesignation.TARGETED
    school.save()
    url = reverse("compliance", args=[school.district.pk])
    for role, cap_link in ((Role.DISTRICT_STAFF, True), (Role.CIM_LEAD, False)):
        user = member(role, school.district)
        client.force_login(user)
        [row] = client.get(url).context["rows"]
        kick_off = row.cells["kick_off"]
        assert (kick_off.text, kick_off.url) == (
            "Missed",
            reverse("cpm_year", args=[school.pk]) + f"?year={YEAR}",
        )
        assert row.cells["workshop"].url  # "No workshop yet" / "Not registered": where to go
        assert bool(row.cells["cap"].url) == cap_link
        for key, _label in compliance.REQUIREMENTS:
            link = row.cells[key].url
            if link:
                assert client.get(link).status_code in (200, 302), (role, key, link)


@pytest.mark.parametrize("role", [Role.CIM_LEAD, Role.CIM_MEMBER, Role.DISTRICT_STAFF])
def test_every_dashboard_link_opens_for_its_reader(client, clock, role):
    """No dead end on the page (school names, cells, district CIM work, breadcrumb), and the
    links are decided once per page: the query count does not grow with the schools."""
    clock.set(on(12, 5))
    small, _ = generate(3, start_year=YEAR, label="f3")
    large, _ = generate(30, start_year=YEAR, label="f30")
    reader = member(role, small)
    member(role, large, user=reader)
    client.force_login(reader)
    _queries(client, large)  # a CIM role's first request checks its two-factor devices, once
    assert _queries(client, small) == _queries(client, large)
    page = _dashboard(client, small, year=YEAR).content.decode()
    hrefs = {h.replace("&amp;", "&") for h in re.findall(r'href="(/[^"#]*)"', page)}
    assert any("/cpm/" in h for h in hrefs) and any("/meetings/" in h for h in hrefs)
    assert any("/cap/" in h for h in hrefs) == (role == Role.DISTRICT_STAFF)
    assert "classes after" in page or "No assessment point yet" in page  # shown, link or not
    for href in sorted(hrefs):
        if "/static/" not in href and "logout" not in href:
            assert client.get(href).status_code in (200, 302), (role, href)
