"""The Plan for Improvement's analysis (seed 001: data analysis → root cause → plan), and the TA
sessions that name their provider's account and cannot be in the future (issue 18)."""

import pytest
from django.urls import reverse

from plans import services as plan_services
from plans.models import (
    CimProblemStatement,
    CimRootCause,
    DataFinding,
    PlanChange,
    TaSession,
)
from schoolplan.models import CimStatus, CimTeam, Role

from ..cim_helpers import make_plan
from ..clock import moment, on
from ..factories import DistrictFactory, SchoolYearFactory, member, set_cim_status

pytestmark = [pytest.mark.django_db, pytest.mark.calendar]

DOC = "cim/plans"


@pytest.fixture
def lead(district, school_year):
    return member(Role.CIM_LEAD, district)


@pytest.fixture
def plan(district, school_year, lead, clock):
    clock.set(on(10, 1))
    return make_plan(district, school_year, lead)[0]


def add_url(plan, kind):
    return reverse("doc_item_add", kwargs={"doc": DOC, "pk": plan.pk, "kind": kind})


def edit_url(plan, kind, item):
    return reverse(
        "doc_item_edit", kwargs={"doc": DOC, "pk": plan.pk, "kind": kind, "item_pk": item.pk}
    )


def analysis(plan, user):
    finding = plan_services.add(
        DataFinding,
        user=user,
        plan=plan,
        statement="18% of students with IEPs read at benchmark, against 41% of all students.",
        source="Benchmark screener, spring",
    )
    cause = plan_services.add(
        CimRootCause,
        user=user,
        plan=plan,
        description="Tier 1 reading is not differentiated in co-taught classes.",
        findings=[finding],
    )
    problem = plan_services.add(
        CimProblemStatement,
        user=user,
        plan=plan,
        statement="Students with disabilities are not reaching reading benchmarks.",
        root_causes=[cause],
    )
    return finding, cause, problem


# --- Adding and linking -----------------------------------------------------------------------


def test_the_lead_adds_a_finding_a_root_cause_and_a_problem_statement(client, plan, lead):
    client.force_login(lead)
    response = client.post(
        add_url(plan, "finding"),
        {"statement": "Only 18% of students with IEPs at benchmark.", "source": "Screener"},
    )
    assert response.status_code == 302
    finding = DataFinding.objects.get(plan=plan)
    response = client.post(
        add_url(plan, "root-cause"),
        {"description": "Tier 1 is not differentiated.", "findings": [finding.pk]},
    )
    assert response.status_code == 302
    cause = CimRootCause.objects.get(plan=plan)
    assert list(cause.findings.all()) == [finding]
    response = client.post(
        add_url(plan, "problem"),
        {"statement": "Students with IEPs miss the benchmark.", "root_causes": [cause.pk]},
    )
    assert response.status_code == 302
    problem = CimProblemStatement.objects.get(plan=plan)
    assert list(problem.root_causes.all()) == [cause]
    added = [
        (c.object_kind, c.changes)
        for c in plan.changes.filter(action="added").order_by("pk")
        if c.object_kind in ("data finding", "root cause", "problem statement")
    ]
    assert added == [
        (
            "data finding",
            {
                "What the data shows": ["", "Only 18% of students with IEPs at benchmark."],
                "Source or evidence": ["", "Screener"],
            },
        ),
        (
            "root cause",
            {
                "Root cause": ["", "Tier 1 is not differentiated."],
                "Findings that support it": ["", "Only 18% of students with IEPs at benchmark."],
            },
        ),
        (
            "problem statement",
            {
                "Problem statement": ["", "Students with IEPs miss the benchmark."],
                "Root causes": ["", "Tier 1 is not differentiated."],
            },
        ),
    ]


def test_the_plan_page_shows_the_analysis_in_order_with_its_links(client, plan, lead):
    finding, cause, problem = analysis(plan, lead)
    strategy = plan.strategies.get()
    plan_services.update(
        strategy, user=lead, expected_version=1, problem_statements=[problem], root_causes=[cause]
    )
    client.force_login(lead)
    page = client.get(plan.get_absolute_url()).content.decode()
    positions = [
        page.index(text)
        for text in (
            "Data findings",
            finding.statement,
            "Root causes",
            cause.description,
            "Problem statements",
            problem.statement,
            "High-Leverage Strategy 1: Tier 1 literacy",
        )
    ]
    assert positions == sorted(positions)
    assert f'href="#finding-{finding.pk}"' in page  # the cause names its finding
    assert f'href="#root-cause-{cause.pk}"' in page
    assert f'href="#problem-{problem.pk}"' in page  # the strategy names what it addresses
    assert "Source: Benchmark screener, spring" in page


def test_an_empty_analysis_says_what_to_add(client, plan, lead):
    client.force_login(lead)
    page = client.get(plan.get_absolute_url()).content.decode()
    assert "No data findings yet" in page
    assert "No root causes yet" in page
    assert "No problem statements yet" in page
    page = client.get(add_url(plan, "root-cause")).content.decode()
    assert "No data findings yet: add them to the plan." in page


def test_editing_a_link_is_in_the_history(plan, lead):
    finding, cause, _ = analysis(plan, lead)
    second = plan_services.add(DataFinding, user=lead, plan=plan, statement="Co-teachers: 2 h PD")
    plan_services.update(cause, user=lead, expected_version=1, findings=[finding, second])
    change = plan.changes.filter(object_kind="root cause", action="changed").get()
    assert change.changes == {"Findings that support it": [str(finding), f"{finding}; {second}"]}
    cause.refresh_from_db()
    assert cause.version == 2
    # Saving the same links again changes nothing.
    plan_services.update(cause, user=lead, expected_version=2, findings=[second, finding])
    assert cause.version == 2
    assert plan.changes.filter(object_kind="root cause", action="changed").count() == 1


def test_the_strategy_form_links_problem_statements_and_root_causes(client, plan, lead):
    _, cause, problem = analysis(plan, lead)
    strategy = plan.strategies.get()
    client.force_login(lead)
    page = client.get(edit_url(plan, "strategy", strategy)).content.decode()
    assert "P1: Students with disabilities" in page and "R1: Tier 1 reading" in page
    response = client.post(
        edit_url(plan, "strategy", strategy),
        {
            "title": strategy.title,
            "description": "",
            "problem_statements": [problem.pk],
            "root_causes": [cause.pk],
            "expected_version": 1,
        },
    )
    assert response.status_code == 302
    strategy.refresh_from_db()
    assert list(strategy.problem_statements.all()) == [problem]
    assert list(strategy.root_causes.all()) == [cause]
    change = plan.changes.filter(object_kind="High-Leverage Strategy", action="changed").get()
    assert set(change.changes) == {"Problem statements it addresses", "Root causes it addresses"}


def test_removing_a_finding_keeps_the_root_cause(client, plan, lead):
    finding, cause, _ = analysis(plan, lead)
    client.force_login(lead)
    url = reverse(
        "doc_item_remove",
        kwargs={"doc": DOC, "pk": plan.pk, "kind": "finding", "item_pk": finding.pk},
    )
    assert client.post(url, {"confirm": "on"}).status_code == 302
    assert not DataFinding.objects.exists()
    assert list(CimRootCause.objects.get(pk=cause.pk).findings.all()) == []
    assert plan.changes.filter(object_kind="data finding", action="removed").exists()


# --- Conflicts and bad input ------------------------------------------------------------------


def test_a_stale_save_is_refused_showing_both_texts(client, plan, lead, district):
    finding, _, _ = analysis(plan, lead)
    other = member(Role.CIM_MEMBER, district)
    plan_services.update(
        finding, user=other, expected_version=1, statement="19% at benchmark (corrected)."
    )
    client.force_login(lead)
    response = client.post(
        edit_url(plan, "finding", finding),
        {"statement": "My reading of the data", "source": "My source", "expected_version": 1},
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "Someone else saved this first" in page
    assert "19% at benchmark (corrected)." in page  # theirs
    assert other.display_name in page  # who wrote it
    assert "My reading of the data</textarea>" in page  # yours, still in the form
    assert 'value="My source"' in page
    finding.refresh_from_db()
    assert finding.statement == "19% at benchmark (corrected)."


def test_a_conflict_names_only_this_plans_changes(plan, lead, district):
    """An ESSA root cause shares the kind's name: its history is not this cause's."""
    from plans.models import EssaPlan, ProblemStatement, RootCause

    from ..factories import SchoolFactory

    _, cause, _ = analysis(plan, lead)
    school = SchoolFactory(district=district)
    essa = EssaPlan.objects.create(school=school, school_year=plan.school_year)
    problem = ProblemStatement.objects.create(plan=essa, desired_state="a", current_state="b")
    essa_cause = RootCause.objects.create(pk=cause.pk + 1000, problem=problem, description="x")
    PlanChange.objects.create(
        essa_plan=essa,
        action="changed",
        object_kind="root cause",
        object_id=cause.pk,  # the same id as the CIM cause, in another plan
        version=2,
        changes={"Root cause": ["x", "Not this plan's"]},
    )
    assert essa_cause.pk != cause.pk
    plan_services.update(cause, user=lead, expected_version=1, description="Changed")
    with pytest.raises(plan_services.EditConflict) as error:
        plan_services.update(cause, user=lead, expected_version=1, description="Mine")
    assert "Not this plan's" not in error.value.messages[0]
    assert "Changed" in error.value.messages[0]


def test_an_empty_finding_is_refused_and_what_was_typed_comes_back(client, plan, lead):
    client.force_login(lead)
    response = client.post(add_url(plan, "finding"), {"statement": "  ", "source": "CALPADS"})
    page = response.content.decode()
    assert response.status_code == 200
    assert "This field is required." in page
    assert 'value="CALPADS"' in page
    assert not DataFinding.objects.exists()


def test_a_finding_of_another_plan_cannot_be_linked(client, plan, lead, district):
    other_district = DistrictFactory(cim_status=CimStatus.INTENSIVE_1)
    other_year = SchoolYearFactory(district=other_district)
    other_lead = member(Role.CIM_LEAD, other_district)
    foreign_plan = make_plan(other_district, other_year, other_lead)[0]
    foreign, _, _ = analysis(foreign_plan, other_lead)
    own = plan_services.add(DataFinding, user=lead, plan=plan, statement="Our own finding")
    client.force_login(lead)
    response = client.post(
        add_url(plan, "root-cause"),
        {"description": "My cause", "findings": [own.pk, foreign.pk]},
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "Select a valid choice" in page
    assert "My cause</textarea>" in page
    assert not CimRootCause.objects.filter(plan=plan).exists()


# --- Who may do what --------------------------------------------------------------------------


def test_a_cim_member_edits_the_analysis(client, plan, district):
    client.force_login(member(Role.CIM_MEMBER, district))
    assert client.post(add_url(plan, "finding"), {"statement": "x"}).status_code == 302
    assert DataFinding.objects.filter(plan=plan).count() == 1


def test_the_ta_provider_reads_and_comments_but_does_not_edit(client, plan, lead, district):
    finding, cause, _ = analysis(plan, lead)
    ta = member(Role.TA_PROVIDER, district)
    client.force_login(ta)
    page = client.get(plan.get_absolute_url()).content.decode()
    assert finding.statement in page and cause.description in page
    assert add_url(plan, "finding") not in page  # no edit buttons
    for url, data in (
        (add_url(plan, "finding"), {"statement": "TA's finding"}),
        (add_url(plan, "root-cause"), {"description": "TA's cause"}),
        (add_url(plan, "problem"), {"statement": "TA's problem"}),
        (edit_url(plan, "finding", finding), {"statement": "changed", "expected_version": 1}),
    ):
        assert client.get(url).status_code == 403, url
        assert client.post(url, data).status_code == 403, url
    comment = client.post(reverse("comment_add", args=[plan.pk]), {"text": "Check F1's source."})
    assert comment.status_code == 302
    assert DataFinding.objects.count() == 1 and CimRootCause.objects.count() == 1
    finding.refresh_from_db()
    assert finding.version == 1


@pytest.mark.parametrize("who", ["principal", "other_lead"])
def test_a_principal_and_another_district_get_404_and_write_nothing(
    client, plan, lead, school, who
):
    finding, _, _ = analysis(plan, lead)
    if who == "principal":
        user = member(Role.PRINCIPAL, school)
    else:
        elsewhere = DistrictFactory()
        SchoolYearFactory(district=elsewhere)
        user = member(Role.CIM_LEAD, elsewhere)
    client.force_login(user)
    assert client.get(plan.get_absolute_url()).status_code == 404
    assert client.post(add_url(plan, "finding"), {"statement": "x"}).status_code == 404
    response = client.post(
        edit_url(plan, "finding", finding), {"statement": "x", "expected_version": 1}
    )
    assert response.status_code == 404
    assert DataFinding.objects.count() == 1
    finding.refresh_from_db()
    assert finding.version == 1


def test_an_item_of_another_plan_is_a_404_in_this_one(client, plan, lead, district):
    other_district = DistrictFactory()
    other_year = SchoolYearFactory(district=other_district)
    foreign_plan = make_plan(other_district, other_year, member(Role.CIM_LEAD, other_district))[0]
    foreign, _, _ = analysis(foreign_plan, lead)
    client.force_login(lead)
    assert client.get(edit_url(plan, "finding", foreign)).status_code == 404


# --- TA sessions ------------------------------------------------------------------------------


def ta_url(plan):
    return reverse("ta_sessions", args=[plan.pk])


@pytest.fixture
def provider(district, school_year, lead):
    ta = member(Role.TA_PROVIDER, district)
    ta.first_name, ta.last_name = "Tamsin", "Aguilar"
    ta.save()
    CimTeam.objects.create(district=district, school_year=school_year, lead=lead, ta_provider=ta)
    return ta


def session(**data):
    return {"topic": "Co-teaching walkthroughs", "provider": "", "notes": "", **data}


def test_a_future_ta_session_is_refused_beside_its_date(client, plan, lead, provider, clock):
    # 10 PM on 1 October in California is already 2 October in UTC: the district's today is
    # still the 1st.
    clock.set(moment(on(10, 1), "22:00"))
    client.force_login(lead)
    response = client.post(
        ta_url(plan),
        session(date=on(10, 2).isoformat(), provider_account=provider.pk, notes="Kept notes"),
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert f"the date cannot be after today, {on(10, 1):%-d %b %Y}" in page
    assert "Kept notes</textarea>" in page
    assert f'value="{on(10, 2).isoformat()}"' in page
    assert not TaSession.objects.exists()
    response = client.post(
        ta_url(plan), session(date=on(10, 1).isoformat(), provider_account=provider.pk)
    )
    assert response.status_code == 302
    assert TaSession.objects.get().date == on(10, 1)


def test_the_form_offers_the_districts_ta_providers_the_teams_first(
    client, plan, lead, provider, district
):
    second = member(Role.TA_PROVIDER, district)
    elsewhere = DistrictFactory(cim_status=CimStatus.INTENSIVE_1)
    foreign = member(Role.TA_PROVIDER, elsewhere)
    client.force_login(lead)
    form = client.get(ta_url(plan)).context["form"]
    choices = set(form.fields["provider_account"].queryset)
    assert choices == {provider, second}
    assert form.initial["provider_account"] == provider.pk
    response = client.post(
        ta_url(plan), session(date=on(9, 20).isoformat(), provider_account=foreign.pk)
    )
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert not TaSession.objects.exists()


def test_the_service_refuses_an_account_that_is_not_the_districts_provider(plan, lead):
    colleague = member(Role.CIM_MEMBER, plan.district)
    with pytest.raises(Exception, match="is not a TA provider of"):
        plan_services.log_ta_session(
            plan, user=lead, date=on(9, 20), provider_account=colleague, topic="x"
        )
    assert not TaSession.objects.exists()


def test_a_session_shows_the_accounts_name(client, plan, lead, provider):
    client.force_login(lead)
    client.post(
        ta_url(plan),
        session(date=on(9, 20).isoformat(), provider_account=provider.pk, provider="County TAC"),
    )
    client.post(ta_url(plan), session(date=on(9, 10).isoformat(), provider="Regional SELPA TA"))
    page = client.get(ta_url(plan)).content.decode()
    assert "Tamsin Aguilar (County TAC)" in page
    assert "Regional SELPA TA" in page
    with_account, without = TaSession.objects.order_by("-date")
    assert (with_account.provider_account, with_account.provider) == (provider, "County TAC")
    assert (without.provider_account, without.provider) == (None, "Regional SELPA TA")


def test_an_account_alone_names_the_session_for_the_report(plan, lead, provider):
    ta_session = plan_services.log_ta_session(
        plan, user=lead, date=on(9, 20), provider_account=provider, topic="x"
    )
    assert ta_session.provider == "Tamsin Aguilar"  # the progress report lists s.provider


def test_a_session_needs_a_provider(client, plan, lead):
    client.force_login(lead)
    response = client.post(ta_url(plan), session(date=on(9, 20).isoformat(), topic="Kept topic"))
    page = response.content.decode()
    assert "Choose the TA provider&#x27;s account, or type the provider&#x27;s name." in page
    assert 'value="Kept topic"' in page
    assert not TaSession.objects.exists()


def test_only_intensive_districts_log_ta_sessions(client, plan, lead, district):
    set_cim_status(district, CimStatus.TARGETED_2)
    client.force_login(lead)
    assert client.get(ta_url(plan)).status_code == 404
    assert client.post(ta_url(plan), session(date=on(9, 20).isoformat())).status_code == 404


def test_the_ta_provider_cannot_log_a_session(client, plan, provider):
    client.force_login(provider)
    assert client.get(ta_url(plan)).status_code == 200
    response = client.post(
        ta_url(plan), session(date=on(9, 20).isoformat(), provider_account=provider.pk)
    )
    assert response.status_code == 403
    assert not TaSession.objects.exists()
