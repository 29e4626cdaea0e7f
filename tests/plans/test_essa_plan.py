"""The ESSA action plan (seed 002): its content, its workflow, who may move it, the May 15 due
date and the late flag, the frozen submitted plan, and its exports."""

import io
import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.urls import reverse
from pypdf import PdfReader

from plans import export, workflow
from plans import services as plan_services
from plans.models import (
    ActionStep,
    EssaPlan,
    EssaPlanStatus,
    FocusArea,
    MonitoringRoutine,
    ProblemStatement,
    RootCause,
)
from schoolplan.models import EssaDesignation, OutboxEmail, Role, SchoolYear

from ..clock import YEAR, on
from ..factories import SchoolFactory, SchoolYearFactory, member
from ..pdf_helpers import assert_tagged
from ..school_plan_helpers import complete_plan

pytestmark = pytest.mark.django_db


@pytest.fixture
def tsi_school(school):
    school.essa_designation = EssaDesignation.TARGETED
    school.save()
    return school


@pytest.fixture
def principal(tsi_school):
    return member(Role.PRINCIPAL, tsi_school)


@pytest.fixture
def district_staff(district):
    return member(Role.DISTRICT_STAFF, district)


@pytest.fixture
def plan(tsi_school, school_year, principal, clock):
    """Written in March, before it is due (15 May)."""
    clock.set(on(3, 1))
    return complete_plan(tsi_school, school_year, principal)


def test_a_plan_cannot_be_submitted_without_its_problem_cause_and_metrics(
    tsi_school, school_year, principal
):
    plan = workflow.start_essa_plan(school=tsi_school, year=school_year, user=principal)
    assert workflow.missing_for_submission(plan) == [
        "at least one problem statement",
        "a leading metric",
        "a lagging metric",
    ]
    problem = plan_services.add(
        ProblemStatement, user=principal, plan=plan, desired_state="a", current_state="b", gap="c"
    )
    assert "a root cause for the problem “c”" in workflow.missing_for_submission(plan)
    with pytest.raises(ValidationError, match="Before submitting, add"):
        workflow.submit(plan, user=principal)
    plan.refresh_from_db()
    assert plan.status == EssaPlanStatus.DRAFT and plan.submitted_at is None
    assert problem.pk


@pytest.mark.calendar
def test_principal_submits_and_district_staff_are_told(
    client, clock, plan, principal, district_staff
):
    client.force_login(principal)
    response = client.post(reverse("essa_submit", args=[plan.pk]))
    assert response.status_code == 302
    plan.refresh_from_db()
    assert plan.status == EssaPlanStatus.SUBMITTED
    assert plan.submitted_by == principal
    assert plan.submitted_at == clock.now()
    assert plan.submitted_late is False  # due 15 May
    event = plan.events.get()
    assert (event.status, event.by) == (EssaPlanStatus.SUBMITTED, principal)
    email = OutboxEmail.objects.get(key=f"essa-plan-submitted:{event.pk}")
    assert email.to == [district_staff.email]


@pytest.mark.parametrize("role", [Role.SCHOOL_STAFF, Role.DISTRICT_STAFF])
def test_only_the_principal_submits(client, plan, role):
    scope = plan.school if role == Role.SCHOOL_STAFF else plan.school.district
    client.force_login(member(role, scope))
    assert client.post(reverse("essa_submit", args=[plan.pk])).status_code == 403
    plan.refresh_from_db()
    assert plan.status == EssaPlanStatus.DRAFT


def test_another_schools_principal_does_not_even_see_the_plan(client, plan, other_school):
    client.force_login(member(Role.PRINCIPAL, other_school))
    assert client.get(plan.get_absolute_url()).status_code == 404
    assert client.post(reverse("essa_submit", args=[plan.pk])).status_code == 404
    assert client.get(reverse("essa_export", args=[plan.pk, "csv"])).status_code == 404
    # Nor through a sibling school of the same district.
    sibling = SchoolFactory(district=plan.school.district)
    client.force_login(member(Role.PRINCIPAL, sibling))
    assert client.get(plan.get_absolute_url()).status_code == 404


@pytest.mark.parametrize("role", [Role.PRINCIPAL, Role.SCHOOL_STAFF, Role.CIM_LEAD])
def test_only_district_staff_accept_or_return(client, plan, principal, role):
    workflow.submit(plan, user=principal)
    scope = plan.school if role in (Role.PRINCIPAL, Role.SCHOOL_STAFF) else plan.school.district
    client.force_login(principal if role == Role.PRINCIPAL else member(role, scope))
    response = client.post(reverse("essa_decide", args=[plan.pk]), {"decision": "accept"})
    assert response.status_code == 403
    plan.refresh_from_db()
    assert plan.status == EssaPlanStatus.SUBMITTED


def test_another_districts_staff_cannot_decide(client, plan, principal, other_school):
    workflow.submit(plan, user=principal)
    client.force_login(member(Role.DISTRICT_STAFF, other_school.district))
    response = client.post(reverse("essa_decide", args=[plan.pk]), {"decision": "accept"})
    assert response.status_code == 404
    plan.refresh_from_db()
    assert plan.status == EssaPlanStatus.SUBMITTED


def test_returning_needs_a_comment_then_the_school_edits_and_resubmits(
    client, plan, principal, district_staff
):
    workflow.submit(plan, user=principal)
    client.force_login(district_staff)
    url = reverse("essa_decide", args=[plan.pk])
    client.post(url, {"decision": "return", "comment": "  "})
    plan.refresh_from_db()
    assert plan.status == EssaPlanStatus.SUBMITTED
    client.post(url, {"decision": "return", "comment": "Add the evidence for root cause 1."})
    plan.refresh_from_db()
    assert plan.status == EssaPlanStatus.RETURNED and plan.decided_by == district_staff
    assert plan.events.first().comment == "Add the evidence for root cause 1."
    assert OutboxEmail.objects.filter(to=[principal.email], subject__contains="returned").exists()
    # Returned: the school may change it again, and submit it again.
    page = client.get(plan.get_absolute_url()).content.decode()
    assert "Add the evidence for root cause 1." in page
    cause = RootCause.objects.get(problem__plan=plan)
    plan_services.update(cause, user=principal, expected_version=cause.version, evidence="New")
    workflow.submit(plan, user=principal)
    workflow.accept(plan, user=district_staff)
    plan.refresh_from_db()
    assert plan.status == EssaPlanStatus.ACCEPTED
    assert [e.status for e in plan.events.order_by("at", "pk")] == [
        "submitted",
        "returned",
        "submitted",
        "accepted",
    ]


def test_only_a_submitted_plan_is_accepted(plan, district_staff):
    with pytest.raises(ValidationError, match="Only a submitted plan"):
        workflow.accept(plan, user=district_staff)


def test_a_submitted_plan_is_frozen(client, plan, principal):
    workflow.submit(plan, user=principal)
    with pytest.raises(ValidationError, match="cannot be changed"):
        plan_services.add(FocusArea, user=principal, plan=plan, title="Attendance")
    problem = plan.problems.get()
    with pytest.raises(ValidationError, match="cannot be changed"):
        plan_services.update(problem, user=principal, expected_version=problem.version, gap="x")
    client.force_login(principal)
    url = reverse(
        "doc_item_edit",
        kwargs={"doc": "essa", "pk": plan.pk, "kind": "problem", "item_pk": problem.pk},
    )
    response = client.post(
        url,
        {"desired_state": "a", "current_state": "b", "gap": "changed", "expected_version": 1},
    )
    assert response.status_code == 200
    assert "cannot be changed" in response.content.decode()
    problem.refresh_from_db()
    assert problem.gap == "9 points in grade 3-5 math"


@pytest.mark.calendar
@pytest.mark.parametrize(
    ("day", "late"), [(on(5, 14), False), (on(5, 15), False), (on(5, 16), True)]
)
def test_late_after_the_years_due_date(plan, day, late):
    assert plan.due_on == on(5, 15)
    assert workflow.is_late(plan, day) is late


@pytest.mark.calendar
def test_the_due_date_comes_from_the_school_year(plan):
    SchoolYear.objects.filter(pk=plan.school_year_id).update(essa_plan_due=on(5, 1))
    plan = EssaPlan.objects.get(pk=plan.pk)
    assert workflow.is_late(plan, on(5, 2))


@pytest.mark.calendar
def test_submission_after_the_due_date_is_allowed_and_recorded_late(clock, plan, principal):
    clock.set(on(5, 16))
    plan = workflow.submit(EssaPlan.objects.get(pk=plan.pk), user=principal)
    assert plan.status == EssaPlanStatus.SUBMITTED and plan.submitted_late is True
    assert plan.events.get().late is True


@pytest.mark.calendar
def test_a_school_without_targeted_support_is_never_late(school, school_year):
    principal = member(Role.PRINCIPAL, school)
    plan = complete_plan(school, school_year, principal)
    assert not plan.must_submit
    assert workflow.is_late(plan, on(6, 30)) is False


@pytest.mark.calendar
def test_the_due_date_shows_on_the_plan_and_the_home_page(client, plan, principal):
    client.force_login(principal)
    page = client.get(plan.get_absolute_url()).content.decode()
    assert f"Due 15 May {YEAR + 1}" in page
    # The home card says where the plan stands.
    home = client.get(reverse("home")).content.decode()
    assert "ESSA action plan" in home


def test_csv_export_round_trips_the_plans_content(client, plan, principal):
    area = plan_services.add(
        FocusArea,
        user=principal,
        plan=plan,
        title='=HYPERLINK("http://evil")',  # a formula must not run in a spreadsheet
        initiatives="Math talk, niños y familias",
    )
    plan_services.add(
        ActionStep,
        user=principal,
        plan=plan,
        focus_area=area,
        description="Coach teachers",
        owner="Math coach",
        starts_on=on(9, 1),
        due_on=on(5, 1),
    )
    plan_services.add(
        MonitoringRoutine,
        user=principal,
        plan=plan,
        who="Leadership",
        what="Walkthroughs",
        frequency="monthly",
    )
    workflow.submit(plan, user=principal)
    client.force_login(principal)
    response = client.get(reverse("essa_export", args=[plan.pk, "csv"]))
    assert response["Content-Type"].startswith("text/csv")
    text = response.content.decode("utf-8")
    assert "'=HYPERLINK" in text  # neutralised in the file
    rows = export.read_essa_csv(text)
    assert rows == [tuple(row) for row in export.essa_content(export.load(plan.pk))]
    fields = {(section, field): value for section, ref, parent, field, value in rows}
    assert fields[("Area of focus", "Area of focus")] == '=HYPERLINK("http://evil")'
    assert fields[("Root cause", "Verified")] == "Yes"
    assert fields[("Action step", "Due")] == on(5, 1).isoformat()
    assert {value for (section, field), value in fields.items() if field == "Kind"} <= {
        "Leading",
        "Lagging",
    }
    assert fields[("Plan", "Submitted by")] == principal.display_name
    assert [r[1] for r in rows if r[0] == "Metric" and r[3] == "Kind"] == ["M1", "M2"]


def test_pdf_export_has_the_plan_and_its_metadata(
    client, plan, principal, eager_celery, django_capture_on_commit_callbacks
):
    workflow.submit(plan, user=principal)
    client.force_login(principal)
    # Made in the worker: the button asks for it, its page offers the download when done.
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("essa_pdf", args=[plan.pk]))
    job_page = client.get(response["Location"]).content.decode()
    assert "The PDF is ready" in job_page
    response = client.get(f"{response['Location']}download/")
    assert response["Content-Type"] == "application/pdf"
    assert "essa-action-plan-" in response["Content-Disposition"]
    reader = PdfReader(io.BytesIO(response.content))
    text = "\n".join(page.extract_text() for page in reader.pages)
    assert "Valdez Elementary" in text and "9 points in grade 3-5 math" in text
    assert "Page 1 of" in text
    # Each metric's trend chart is drawn as vector graphics: its labels are text in the PDF.
    assert text.count("baseline") == 2 and text.count("\ntarget\n") == 2
    assert reader.metadata.title.startswith("ESSA action plan – Valdez Elementary")
    assert reader.metadata.author == principal.display_name
    assert_tagged(response.content, reader.metadata.title)
    # The school · district · plan line once on page 1 (the running header starts on page 2).
    first_page = reader.pages[0].extract_text()
    assert first_page.count("ESSA action plan 2026") == 1, first_page


def test_item_of_another_plan_cannot_be_reached_through_this_plans_url(
    client, plan, principal, district
):
    other_school = SchoolFactory(district=district, essa_designation=EssaDesignation.TARGETED)
    other_plan = complete_plan(other_school, plan.school_year, member(Role.PRINCIPAL, other_school))
    foreign = other_plan.problems.get()
    client.force_login(principal)
    url = reverse(
        "doc_item_edit",
        kwargs={"doc": "essa", "pk": plan.pk, "kind": "problem", "item_pk": foreign.pk},
    )
    assert client.get(url).status_code == 404
    assert client.post(url, {"gap": "x"}).status_code == 404
    foreign.refresh_from_db()
    assert foreign.gap == "9 points in grade 3-5 math"


def test_a_stale_edit_is_refused_and_names_the_other_change(client, plan, principal):
    problem = plan.problems.get()
    colleague = member(Role.SCHOOL_STAFF, plan.school)
    plan_services.update(problem, user=colleague, expected_version=problem.version, gap="Newer")
    client.force_login(principal)
    url = reverse(
        "doc_item_edit",
        kwargs={"doc": "essa", "pk": plan.pk, "kind": "problem", "item_pk": problem.pk},
    )
    response = client.post(
        url, {"desired_state": "a", "current_state": "b", "gap": "Mine", "expected_version": 1}
    )
    page = response.content.decode()
    assert response.status_code == 200 and "Someone else saved this first" in page
    assert "Newer" in page
    problem.refresh_from_db()
    assert problem.gap == "Newer"
    # Every change is in the plan's history.
    assert plan.changes.filter(object_kind="problem statement", action="changed").count() == 1


def test_bad_input_is_refused_with_a_message(client, plan, principal):
    client.force_login(principal)
    url = reverse("doc_item_add", kwargs={"doc": "essa", "pk": plan.pk, "kind": "step"})
    response = client.post(
        url,
        {
            "description": "Coach",
            "owner": "Coach",
            "starts_on": on(3, 1).isoformat(),
            "due_on": on(1, 1).isoformat(),
            "status": "not_started",
        },
    )
    assert "The due date cannot come before the start." in response.content.decode()
    assert not ActionStep.objects.exists()
    bogus = reverse("doc_item_add", kwargs={"doc": "essa", "pk": plan.pk, "kind": "nonsense"})
    assert client.get(bogus).status_code == 404


def test_the_plan_page_does_not_query_per_item(
    client, plan, principal, django_assert_max_num_queries
):
    for n in range(15):
        problem = ProblemStatement.objects.create(
            plan=plan, desired_state="a", current_state="b", gap=f"gap {n}"
        )
        RootCause.objects.create(problem=problem, description="c", evidence="e")
        ActionStep.objects.create(
            plan=plan,
            description=f"s{n}",
            owner="o",
            starts_on=on(9, 1),
            due_on=on(10, 1),
        )
    client.force_login(principal)
    with django_assert_max_num_queries(30):
        assert client.get(plan.get_absolute_url()).status_code == 200


def test_starting_a_plan_needs_the_school_staff(client, tsi_school, school_year):
    url = reverse("school_essa", args=[tsi_school.pk])
    client.force_login(member(Role.CIM_MEMBER, tsi_school.district))
    assert client.post(url, {"year": YEAR}).status_code == 403
    assert not EssaPlan.objects.exists()
    client.force_login(member(Role.SCHOOL_STAFF, tsi_school))
    assert client.post(url, {"year": YEAR}).status_code == 302
    assert EssaPlan.objects.get().school_year == school_year


def test_a_plan_per_school_and_year(tsi_school, school_year, principal):
    next_year = SchoolYearFactory(district=tsi_school.district, start_year=YEAR + 1)
    first = workflow.start_essa_plan(school=tsi_school, year=school_year, user=principal)
    assert workflow.start_essa_plan(school=tsi_school, year=school_year, user=principal) == first
    assert workflow.start_essa_plan(school=tsi_school, year=next_year, user=principal) != first


@pytest.mark.django_db(transaction=True)
def test_an_edit_racing_a_submission_lands_before_it_or_not_at_all(tsi_school, school_year):
    if connection.vendor != "postgresql":
        pytest.skip("row locks need PostgreSQL; CI runs this on it")
    principal = member(Role.PRINCIPAL, tsi_school)
    plan = complete_plan(tsi_school, school_year, principal)
    barrier = threading.Barrier(2)
    outcome = {}

    def run(name, action):
        from django.db import connection as thread_connection

        try:
            barrier.wait()
            action()
            outcome[name] = "done"
        except ValidationError:
            outcome[name] = "refused"
        finally:
            thread_connection.close()

    threads = [
        threading.Thread(
            target=run, args=("submit", lambda: workflow.submit(plan, user=principal))
        ),
        threading.Thread(
            target=run,
            args=(
                "edit",
                lambda: plan_services.add(FocusArea, user=principal, plan=plan, title="Late add"),
            ),
        ),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    plan.refresh_from_db()
    assert outcome["submit"] == "done" and plan.status == EssaPlanStatus.SUBMITTED
    added = plan.changes.filter(object_kind="area of focus")
    if outcome["edit"] == "done":  # it went first: the submitted plan includes it
        assert added.get().at <= plan.submitted_at
    else:
        assert not FocusArea.objects.exists() and not added.exists()
