"""The CIM monitoring level per school year (issue 18; DOMAIN.md "CIM level per year").

The district in these tests has held Intensive level 1 since the year before the tests' year
(tests/factories.py). A change of level ends the old report schedule at the change and starts
the new one; submitted periods stay as they were; the year is covered with no gap and no
overlap; past years never change. Dates are stated with tests/clock.py: on(1, 10) is 10
January of the tests' school year.
"""

import threading
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.urls import reverse

from progress.models import ReportDue
from progress.reports import periods as report_periods
from progress.reports import workflow as report_workflow
from schoolplan import cim_levels, deadlines, next_year
from schoolplan.models import AuditEvent, CimLevel, CimStatus, Role

from ..clock import YEAR, on
from ..factories import DistrictFactory, SchoolFactory, SchoolYearFactory, member

pytestmark = [pytest.mark.django_db, pytest.mark.calendar]

INTENSIVE_1, TARGETED_1, TARGETED_2 = (
    CimStatus.INTENSIVE_1,
    CimStatus.TARGETED_1,
    CimStatus.TARGETED_2,
)


@pytest.fixture
def staff(district):
    return member(Role.DISTRICT_STAFF, district)


@pytest.fixture
def lead(district):
    return member(Role.CIM_LEAD, district)


def submit(due, lead, clock, day):
    """The period's report, submitted on day (the submission's own checks are tested in
    tests/progress/test_progress_reports.py)."""
    clock.set(day)
    report = report_workflow.start_report(due, user=lead)
    report.status, report.submitted_at = "submitted", clock.now()
    report.save()
    return report


def periods(dues):
    return [(d.label, d.period_starts, d.period_ends, d.due_on) for d in dues]


def assert_covered(dues, starts, ends):
    """The periods follow each other from starts to ends: no gap, no overlap."""
    assert dues[0].period_starts == starts
    for earlier, later in zip(dues, dues[1:], strict=False):
        assert later.period_starts == earlier.period_ends + timedelta(days=1)
    assert dues[-1].period_ends == ends


def change(district, user, status, day, **kwargs):
    return cim_levels.change_level(district, status=status, effective_on=day, user=user, **kwargs)


# --- The three changes the issue names -------------------------------------------------------


def test_intensive_to_targeted_after_q2(district, school_year, staff, lead, clock):
    """Riverbend: Q1 and Q2 submitted, Targeted 1 from 1 January. Half 2 (January to June) is
    due 31 days after it ends; nothing is left without a period."""
    q1, q2, q3, q4 = report_periods.ensure_due_dates(district, school_year)
    submit(q1, lead, clock, on(10, 10))
    submit(q2, lead, clock, on(1, 8))
    clock.set(on(1, 10))
    change(district, staff, TARGETED_1, on(1, 1), note="CDE letter of 6 January")
    dues = report_periods.dues_for(district, school_year)
    assert periods(dues) == [
        ("Quarter 1", on(7, 1), on(9, 30), on(10, 15)),
        ("Quarter 2", on(10, 1), on(12, 31), on(1, 15)),
        ("Half 2", on(1, 1), on(6, 30), on(7, 31, start_year=YEAR + 1)),
    ]
    assert [d.pk for d in dues[:2]] == [q1.pk, q2.pk]  # the submitted rows, as they were
    assert [d.cim_status for d in dues] == [INTENSIVE_1, INTENSIVE_1, TARGETED_1]
    assert_covered(dues, on(7, 1), on(6, 30))
    states = report_periods.due_states(dues, on(1, 10))
    assert [s.state for s in states] == ["submitted", "submitted", "due"]
    # Written, not only shown; Q3 and Q4's numbers are not reused (reminders know them).
    assert not ReportDue.objects.filter(pk__in=[q3.pk, q4.pk]).exists()
    assert dues[2].pk is not None and dues[2].number == 5
    assert district.cim_status == TARGETED_1
    assert district.cim_status_on(on(12, 31)) == INTENSIVE_1


def test_targeted_to_intensive_after_half_1(staff, clock):
    district = DistrictFactory(cim_status=TARGETED_2)
    year = SchoolYearFactory(district=district, start_year=YEAR)
    lead = member(Role.CIM_LEAD, district)
    half_1, _ = report_periods.ensure_due_dates(district, year)
    submit(half_1, lead, clock, on(1, 20))
    staff = member(Role.DISTRICT_STAFF, district)
    change(district, staff, INTENSIVE_1, on(1, 1))
    dues = report_periods.dues_for(district, year)
    assert periods(dues) == [
        ("Half 1", on(7, 1), on(12, 31), on(1, 31)),
        ("Quarter 3", on(1, 1), on(3, 31), on(4, 15)),
        ("Quarter 4", on(4, 1), on(6, 30), on(7, 15, start_year=YEAR + 1)),
    ]
    assert dues[0].pk == half_1.pk
    assert [d.cim_status for d in dues] == [TARGETED_2, INTENSIVE_1, INTENSIVE_1]
    assert_covered(dues, on(7, 1), on(6, 30))


def test_a_change_in_a_year_with_nothing_submitted(district, school_year, staff, clock):
    """Nothing submitted: the periods are rebuilt from the effective date, the quarter the
    change falls in ending the day before it."""
    clock.set(on(10, 20))
    report_periods.ensure_due_dates(district, school_year)
    change(district, staff, TARGETED_2, on(10, 1))
    dues = report_periods.dues_for(district, school_year)
    assert periods(dues) == [
        ("Quarter 1", on(7, 1), on(9, 30), on(10, 15)),
        ("Half 1 (1 Oct – 31 Dec)", on(10, 1), on(12, 31), on(1, 31)),
        ("Half 2", on(1, 1), on(6, 30), on(7, 31, start_year=YEAR + 1)),
    ]
    assert_covered(dues, on(7, 1), on(6, 30))
    assert all(d.pk for d in dues)


def test_a_change_from_the_first_day_of_the_year(district, school_year, staff, clock):
    clock.set(on(7, 20))
    change(district, staff, TARGETED_2, on(7, 1))
    dues = report_periods.ensure_due_dates(district, school_year)
    assert [d.label for d in dues] == ["Half 1", "Half 2"]
    assert [d.number for d in dues] == [1, 2]


def test_a_change_mid_period_ends_that_period_the_day_before(
    district, school_year, staff, lead, clock
):
    q1, *_ = report_periods.ensure_due_dates(district, school_year)
    submit(q1, lead, clock, on(10, 5))
    clock.set(on(11, 20))
    change(district, staff, CimStatus.TARGETED_3, on(11, 15))
    dues = report_periods.dues_for(district, school_year)
    assert periods(dues) == [
        ("Quarter 1", on(7, 1), on(9, 30), on(10, 15)),
        ("Quarter 2 (1 Oct – 14 Nov)", on(10, 1), on(11, 14), on(11, 29)),
        ("Half 1 (15 Nov – 31 Dec)", on(11, 15), on(12, 31), on(1, 31)),
        ("Half 2", on(1, 1), on(6, 30), on(7, 31, start_year=YEAR + 1)),
    ]
    assert_covered(dues, on(7, 1), on(6, 30))


def test_a_draft_follows_its_period_and_a_moved_due_date_stays(
    district, school_year, staff, lead, clock
):
    clock.set(on(11, 20))
    q1, q2, q3, q4 = report_periods.ensure_due_dates(district, school_year)
    report_periods.move_due_date(q1, on(10, 31))  # district staff moved it
    draft = report_workflow.start_report(q2, user=lead)
    change(district, staff, TARGETED_2, on(11, 15))
    dues = report_periods.dues_for(district, school_year)
    assert dues[0].pk == q1.pk and dues[0].due_on == on(10, 31)  # unchanged period: kept
    assert dues[1].pk == q2.pk and dues[1].label == "Quarter 2 (1 Oct – 14 Nov)"
    assert list(dues[1].reports.all()) == [draft]


def test_a_submitted_period_stays_when_the_change_falls_on_its_last_day(
    district, school_year, staff, lead, clock
):
    q1, *_ = report_periods.ensure_due_dates(district, school_year)
    submit(q1, lead, clock, on(10, 2))
    change(district, staff, TARGETED_2, on(9, 30))
    dues = report_periods.dues_for(district, school_year)
    assert periods(dues)[:2] == [
        ("Quarter 1", on(7, 1), on(9, 30), on(10, 15)),
        ("Half 1 (1 Oct – 31 Dec)", on(10, 1), on(12, 31), on(1, 31)),
    ]
    assert_covered(dues, on(7, 1), on(6, 30))


def test_leaving_cim_mid_year_leaves_no_period_after(district, school_year, staff, clock):
    clock.set(on(12, 1))
    change(district, staff, CimStatus.NONE, on(1, 1))
    dues = report_periods.ensure_due_dates(district, school_year)
    assert [d.label for d in dues] == ["Quarter 1", "Quarter 2"]
    assert district.cim_status == CimStatus.INTENSIVE_1  # until 1 January
    clock.set(on(1, 2))
    district.refresh_from_db()
    assert district.cim_status == CimStatus.NONE


# --- Past years never change -----------------------------------------------------------------


def states_of(district, year, today):
    return [
        (s.due.pk, s.due.label, s.due.period_starts, s.due.period_ends, s.due.due_on, s.state)
        for s in report_periods.due_states(report_periods.dues_for(district, year), today)
    ]


def test_past_year_is_untouched(district, staff, lead, clock):
    past = SchoolYearFactory(district=district, start_year=YEAR - 1)
    year = SchoolYearFactory(district=district, start_year=YEAR)
    clock.set(on(9, 1, start_year=YEAR - 1))
    q1, q2, *_ = report_periods.ensure_due_dates(district, past)
    submit(q1, lead, clock, on(10, 10, start_year=YEAR - 1))
    submit(q2, lead, clock, on(1, 10, start_year=YEAR - 1))
    clock.set(on(1, 10))
    report_periods.ensure_due_dates(district, year)
    before = states_of(district, past, on(1, 10))
    rows = list(ReportDue.objects.filter(school_year=past).values())
    change(district, staff, TARGETED_1, on(1, 1))
    assert states_of(district, past, on(1, 10)) == before
    assert list(ReportDue.objects.filter(school_year=past).values()) == rows
    assert district.cim_status_on(on(3, 1, start_year=YEAR - 1)) == INTENSIVE_1


def test_a_past_year_keeps_its_periods_whatever_the_level_on_record(district, lead, clock):
    """The issue's 2025-26: its quarters were made under Intensive; a level on record that says
    Targeted (as the old single field did after a switch) rewrites nothing: no two overdue
    halves."""
    past = SchoolYearFactory(district=district, start_year=YEAR - 1)
    clock.set(on(9, 1, start_year=YEAR - 1))
    q1, *_ = report_periods.ensure_due_dates(district, past)
    submit(q1, lead, clock, on(10, 10, start_year=YEAR - 1))
    clock.set(on(1, 10))
    before = states_of(district, past, on(1, 10))
    CimLevel.objects.filter(district=district).update(status=TARGETED_1)
    district.refresh_from_db()
    assert states_of(district, past, on(1, 10)) == before
    assert [label for _, label, *_ in before] == [f"Quarter {n}" for n in (1, 2, 3, 4)]
    report_periods.ensure_due_dates(district, past)
    assert states_of(district, past, on(1, 10)) == before


# --- Refusals --------------------------------------------------------------------------------


def refused(district, user, status, day, **kwargs):
    levels = list(CimLevel.objects.values_list("pk", "status", "effective_on"))
    dues = list(ReportDue.objects.values())
    with pytest.raises(ValidationError) as refusal:
        change(district, user, status, day, **kwargs)
    assert list(CimLevel.objects.values_list("pk", "status", "effective_on")) == levels
    assert list(ReportDue.objects.values()) == dues
    return refusal.value.message_dict


def test_refuses_a_day_in_a_past_year(district, staff, clock):
    SchoolYearFactory(district=district, start_year=YEAR - 1)
    SchoolYearFactory(district=district, start_year=YEAR)
    clock.set(on(9, 1))
    errors = refused(district, staff, TARGETED_1, on(3, 1, start_year=YEAR - 1))
    assert "past years never change" in errors["effective_on"][0]
    assert f"ended on 30 Jun {YEAR}" in errors["effective_on"][0]


def test_refuses_a_day_before_a_submitted_period_ends(district, school_year, staff, lead, clock):
    _, q2, *_ = report_periods.ensure_due_dates(district, school_year)
    submit(q2, lead, clock, on(12, 20))  # early: district staff allowed it
    errors = refused(district, staff, TARGETED_1, on(12, 15))
    assert errors["effective_on"] == [
        f"The report for Quarter 2 (1 Oct {YEAR} – 31 Dec {YEAR}) is submitted and stays as it "
        f"was: the change can take effect on 31 Dec {YEAR} at the earliest."
    ]


def test_refuses_nonsense(district, school_year, staff, clock):
    clock.set(on(9, 1))
    assert refused(district, staff, "gold", on(10, 1))["status"] == [
        "Choose a monitoring status from the list."
    ]
    assert refused(district, staff, TARGETED_1, None)["effective_on"] == [
        "Enter the day the status takes effect."
    ]
    assert "already in force" in refused(district, staff, INTENSIVE_1, on(10, 1))["status"][0]
    errors = refused(district, staff, TARGETED_1, on(10, 1, start_year=YEAR + 1))
    assert "not set up" in errors["effective_on"][0]
    assert (
        "300 characters"
        in refused(district, staff, TARGETED_1, on(10, 1), note="x" * 301)["note"][0]
    )


def test_a_confirmation_from_an_older_reading_is_refused(district, school_year, staff, clock):
    clock.set(on(9, 1))
    seen = cim_levels.version(district)
    change(district, staff, TARGETED_1, on(10, 1))
    with pytest.raises(ValidationError, match="Someone else changed"):
        change(district, staff, TARGETED_2, on(11, 1), seen=seen)


# --- Audit, preview, reminders, the next year ------------------------------------------------


def test_the_change_is_audited_and_summarised(district, school_year, staff, clock):
    clock.set(on(1, 5))
    change(district, staff, TARGETED_1, on(1, 1))
    event = AuditEvent.objects.get(action="cim_level_changed")
    assert event.user == staff
    spans = cim_levels.levels_of(district, school_year)
    assert [(s.status, s.starts, s.ends) for s in spans] == [
        (INTENSIVE_1, on(7, 1), on(12, 31)),
        (TARGETED_1, on(1, 1), on(6, 30)),
    ]
    assert cim_levels.summary(spans) == (
        f"Intensive level 1 until 31 Dec {YEAR}; Targeted level 1 from 1 Jan {YEAR + 1}, "
        f"set by {staff.display_name} on 5 Jan {YEAR + 1}"
    )
    assert cim_levels.summary(spans) in event.summary


def test_the_preview_says_what_ends_starts_and_stays(district, school_year, staff, lead, clock):
    q1, q2, *_ = report_periods.ensure_due_dates(district, school_year)
    submit(q1, lead, clock, on(10, 5))
    submit(q2, lead, clock, on(1, 5))
    proposal = cim_levels.propose(district, status=TARGETED_1, effective_on=on(1, 1), user=staff)
    said = {(c.what, c.text.split(":")[0]) for c in proposal.changes}
    assert said == {
        ("stays", f"Quarter 1 (1 Jul {YEAR} – 30 Sep {YEAR})"),
        ("stays", f"Quarter 2 (1 Oct {YEAR} – 31 Dec {YEAR})"),
        ("ends", f"Quarter 3 (1 Jan {YEAR + 1} – 31 Mar {YEAR + 1})"),
        ("ends", f"Quarter 4 (1 Apr {YEAR + 1} – 30 Jun {YEAR + 1})"),
        ("starts", f"Half 2 (1 Jan {YEAR + 1} – 30 Jun {YEAR + 1})"),
    }
    assert not CimLevel.objects.filter(effective_on=on(1, 1)).exists()  # nothing written


def test_reminders_follow_the_new_periods(district, school_year, staff, lead, clock):
    q1, q2, *_ = report_periods.ensure_due_dates(district, school_year)
    submit(q1, lead, clock, on(10, 5))
    clock.set(on(11, 15))
    change(district, staff, TARGETED_2, on(11, 15))
    # Quarter 2, now 1 Oct – 14 Nov, is due 29 Nov: its 14-day reminder is on 15 Nov.
    found = [d for d in deadlines.collect(on(11, 15)) if d.rule == "progress-report"]
    clipped = ReportDue.objects.get(school_year=school_year, period_ends=on(11, 14))
    assert [(d.subject, d.occasion, d.due_on) for d in found] == [
        (f"report-due:{district.pk}:{YEAR}:{clipped.number}", "14d", on(11, 29))
    ]
    assert "Quarter 2 (1 Oct – 14 Nov)" in found[0].title
    assert lead.pk in found[0].recipients
    # On 20 January: Quarter 2 is listed overdue (no longer e-mailed), Half 1 (15 Nov – 31 Dec)
    # is due 31 January; nothing of the old Quarter 3 (due 15 April) nor of Half 2 yet.
    found = [d for d in deadlines.collect(on(1, 20)) if d.rule == "progress-report"]
    assert [(d.occasion, d.due_on) for d in found] == [(None, on(11, 29)), ("14d", on(1, 31))]


def test_the_next_school_year_inherits_the_level(district, school_year, staff, clock):
    clock.set(on(6, 1))
    change(district, staff, TARGETED_2, on(3, 1))
    preview = " ".join(next_year.preview(school_year))
    assert "Targeted level 2" in preview
    started = next_year.start_next_year(
        school_year, user=staff, dates=next_year.proposed_dates(school_year), today=on(6, 1)
    )
    new = started.year
    spans = cim_levels.levels_of(district, new)
    assert [(s.status, s.starts, s.ends) for s in spans] == [
        (TARGETED_2, new.starts_on, new.ends_on)
    ]
    assert [d.label for d in ReportDue.objects.filter(school_year=new)] == ["Half 1", "Half 2"]
    assert any("Targeted level 2" in line for line in started.carried)


def test_a_change_before_the_next_year_starts_carries_into_it(district, school_year, staff, clock):
    """The next year was started in May; the state then moves the district to Targeted from 1
    June: the new year, which inherits the level, follows."""
    clock.set(on(5, 10))
    new = next_year.start_next_year(
        school_year, user=staff, dates=next_year.proposed_dates(school_year), today=on(5, 10)
    ).year
    change(district, staff, TARGETED_2, on(6, 1))
    assert [d.label for d in ReportDue.objects.filter(school_year=new)] == ["Half 1", "Half 2"]


# --- The page: who may change it, and what it shows ------------------------------------------


def level_url(district):
    return reverse("cim_level", args=[district.pk])


def post(client, district, **fields):
    data = {"year": YEAR, "status": TARGETED_1, "effective_on": on(1, 1).isoformat(), **fields}
    return client.post(level_url(district), data)


@pytest.mark.parametrize("role", [Role.CIM_LEAD, Role.CIM_MEMBER, Role.TA_PROVIDER, "principal"])
def test_only_district_staff_change_the_level(client, district, school_year, role, clock):
    clock.set(on(1, 5))
    if role == "principal":
        user = member(Role.PRINCIPAL, SchoolFactory(district=district))
    else:
        user = member(role, district)
    client.force_login(user)
    levels = list(CimLevel.objects.values_list("pk", "status"))
    assert client.get(level_url(district)).status_code in (403, 404)
    assert post(client, district, confirmed="1").status_code in (403, 404)
    assert list(CimLevel.objects.values_list("pk", "status")) == levels


def test_another_districts_staff_get_404(client, district, school_year, clock):
    clock.set(on(1, 5))
    other = DistrictFactory()
    client.force_login(member(Role.DISTRICT_STAFF, other))
    assert client.get(level_url(district)).status_code == 404
    assert post(client, district, confirmed="1").status_code == 404
    assert district.cim_status == INTENSIVE_1


def test_staff_check_then_confirm(client, district, school_year, staff, lead, clock):
    q1, q2, *_ = report_periods.ensure_due_dates(district, school_year)
    submit(q1, lead, clock, on(10, 5))
    submit(q2, lead, clock, on(1, 5))
    clock.set(on(1, 6))
    client.force_login(staff)
    page = client.get(level_url(district)).content.decode()
    assert "Intensive level 1 all year" in page
    checked = post(client, district, note="CDE letter").content.decode()
    assert "Check the change" in checked
    assert "Quarter 3" in checked and "Half 2" in checked and "stays as it was" in checked
    assert not CimLevel.objects.filter(effective_on=on(1, 1)).exists()
    seen = cim_levels.version(district)
    done = post(client, district, note="CDE letter", confirmed="1", seen=seen)
    assert done.status_code == 302
    level = CimLevel.objects.get(effective_on=on(1, 1))
    assert (level.status, level.set_by, level.note) == (TARGETED_1, staff, "CDE letter")
    shown = client.get(reverse("cim_home", args=[district.pk])).content.decode()
    said = f"Intensive level 1 until 31 Dec {YEAR}; Targeted level 1 from 1 Jan {YEAR + 1}"
    assert said in shown
    page = client.get(reverse("progress_reports", args=[district.pk])).content.decode()
    assert said in page and "Half 2" in page


def test_a_refused_change_shows_back_what_was_typed(client, district, school_year, staff, clock):
    clock.set(on(1, 6))
    client.force_login(staff)
    response = post(client, district, effective_on="2027-02-30", note="Typed note ✓")
    page = response.content.decode()
    assert response.status_code == 200
    assert "Typed note ✓" in page
    assert "2027-02-30" in page
    assert "Enter a valid date" in page
    response = post(client, district, status="gold", note="kept")
    assert "Select a valid choice" in response.content.decode()
    assert CimLevel.objects.count() == 1


def test_the_level_page_reads_in_a_few_queries(
    client, district, staff, clock, django_assert_max_num_queries
):
    for start_year in (YEAR - 1, YEAR, YEAR + 1):
        SchoolYearFactory(district=district, start_year=start_year)
    clock.set(on(9, 1))
    for month, status in ((10, TARGETED_1), (1, TARGETED_2), (3, INTENSIVE_1)):
        change(district, staff, status, on(month, 1))
    client.force_login(staff)
    with django_assert_max_num_queries(15):
        page = client.get(level_url(district)).content.decode()
    february_ends = on(3, 1) - timedelta(days=1)
    assert f"Targeted level 2 from 1 Jan {YEAR + 1} until {february_ends:%-d %b %Y}" in page


@pytest.mark.django_db(transaction=True)
def test_two_confirmations_at_once_record_one_change(district, school_year, staff, clock):
    """Two district staff confirm different changes made from the same reading at the same
    moment: the district's row lock makes the second wait, then find the level changed."""
    if connection.vendor != "postgresql":
        pytest.skip("concurrent transactions need PostgreSQL; CI runs this on it")
    clock.set(on(1, 6))
    report_periods.ensure_due_dates(district, school_year)
    seen = cim_levels.version(district)
    barrier = threading.Barrier(2)
    outcomes = []

    def run(status):
        from django.db import connection as thread_connection

        try:
            barrier.wait()
            change(district, staff, status, on(1, 1), seen=seen)
            outcomes.append("recorded")
        except ValidationError as error:
            outcomes.append(" ".join(error.messages))
        finally:
            thread_connection.close()

    threads = [threading.Thread(target=run, args=(s,)) for s in (TARGETED_1, TARGETED_2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes)[-1] == "recorded"
    assert "Someone else changed the monitoring level meanwhile" in sorted(outcomes)[0]
    assert CimLevel.objects.filter(effective_on=on(1, 1)).count() == 1
    dues = report_periods.dues_for(district, school_year)
    assert [d.label for d in dues] == ["Quarter 1", "Quarter 2", "Half 2"]
    assert_covered(dues, on(7, 1), on(6, 30))
