"""The family-engagement cadre (seed 004): members and their limited access, the CommPACT
checklist and consensus, sharing the plan, resources, and survey imports."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from meetings.models import MeetingType
from plans import cadre as cadre_services
from plans import survey_results, surveys, workflow
from plans.models import (
    CadreAction,
    CadreMember,
    CommpactStep,
    Resource,
    StepRecord,
    Survey,
    SurveyResponse,
)
from schoolplan.models import CadreGroup, Membership, OutboxEmail, Role, User

from ..clock import on
from ..factories import SchoolFactory, member
from ..meeting_helpers import schedule

pytestmark = pytest.mark.django_db

GOOD = (
    "respondent_group,I feel welcome,I know how my child is doing\n"
    "parent,Strongly agree,Agree\n"
    "parent,4,\n"
    "student,neutral,Disagree\n"
    "community,Agree,2\n"
)


@pytest.fixture
def principal(school):
    return member(Role.PRINCIPAL, school)


# The cadre's work is looked at on 20 November: its October consensus is past, not future.
TODAY = on(11, 20)


@pytest.fixture
def cadre(school, school_year, principal, clock):
    clock.set(TODAY)
    return cadre_services.start_cadre(school=school, year=school_year, user=principal)


@pytest.fixture
def parent(cadre):
    user = member(Role.CADRE_MEMBER, cadre.school)
    CadreMember.objects.create(cadre=cadre, name="Lucia", group=CadreGroup.PARENT, account=user)
    return user


def test_a_new_cadre_has_the_commpact_checklist_in_order(cadre):
    steps = sorted(cadre.steps.all(), key=lambda s: s.number)
    assert [s.step for s in steps] == list(CommpactStep.values)
    assert steps[0].number == 1 and all(s.done_on is None for s in steps)


def test_cadre_member_reaches_cadre_content_and_nothing_else(client, school, cadre, parent):
    client.force_login(parent)
    assert client.get(cadre.get_absolute_url()).status_code == 200
    # The cadre's own meetings, yes; the school's pages, CPM meetings and plans, no.
    principal = User.objects.get(memberships__role=Role.PRINCIPAL, memberships__school=school)
    cadre_meeting = schedule(school, principal, day=on(10, 22))
    cadre_meeting.meeting_type, cadre_meeting.cpm_stage = MeetingType.CADRE, ""
    cadre_meeting.save()
    cpm_meeting = schedule(school, principal, day=on(10, 23))
    assert client.get(cadre_meeting.get_absolute_url()).status_code == 200
    assert client.get(cpm_meeting.get_absolute_url()).status_code == 404
    plan = workflow.start_essa_plan(school=school, year=cadre.school_year, user=principal)
    blueprint = workflow.start_blueprint(school=school, year=cadre.school_year, user=principal)
    for url in (
        school.get_absolute_url(),
        plan.get_absolute_url(),
        blueprint.get_absolute_url(),
        reverse("cpm_year", args=[school.pk]),
        reverse("school_meetings", args=[school.pk]),
        reverse("cap_overview", args=[school.pk]),
        reverse("essa_export", args=[plan.pk, "csv"]),
    ):
        assert client.get(url).status_code == 404, url
    # They contribute to the cadre's plan, but do not manage its membership.
    add_action = reverse("doc_item_add", kwargs={"doc": "cadres", "pk": cadre.pk, "kind": "action"})
    client.post(
        add_action, {"description": "Family center", "owner": "Cadre", "status": "not_started"}
    )
    assert CadreAction.objects.get().description == "Family center"
    add_member = reverse("doc_item_add", kwargs={"doc": "cadres", "pk": cadre.pk, "kind": "member"})
    assert client.post(add_member, {"name": "X", "group": "parent"}).status_code == 403
    assert client.post(reverse("cadre_share", args=[cadre.pk])).status_code == 403


def test_cadre_member_of_one_school_does_not_see_anothers(client, cadre, district, school_year):
    elsewhere = SchoolFactory(district=district)
    other = cadre_services.start_cadre(
        school=elsewhere, year=school_year, user=member(Role.PRINCIPAL, elsewhere)
    )
    client.force_login(member(Role.CADRE_MEMBER, elsewhere))
    assert client.get(other.get_absolute_url()).status_code == 200
    assert client.get(cadre.get_absolute_url()).status_code == 404
    step = cadre.steps.first()
    response = client.post(
        reverse("cadre_step", args=[cadre.pk, step.pk]), {"done_on": on(10, 1).isoformat()}
    )
    assert response.status_code == 404
    step.refresh_from_db()
    assert step.done_on is None


@pytest.mark.calendar
def test_consensus_names_who_agreed_and_only_this_cadres_members(cadre, principal, school_year):
    lucia = CadreMember.objects.create(cadre=cadre, name="Lucia", group=CadreGroup.PARENT)
    dolores = CadreMember.objects.create(cadre=cadre, name="Dolores", group=CadreGroup.COMMUNITY)
    step = cadre.steps.get(step=CommpactStep.VISION)
    elsewhere = cadre_services.start_cadre(
        school=SchoolFactory(district=cadre.school.district), year=school_year, user=principal
    )
    stranger = CadreMember.objects.create(cadre=elsewhere, name="Zed", group=CadreGroup.PARENT)
    with pytest.raises(ValidationError) as error:
        cadre_services.record_consensus(
            step,
            user=principal,
            agreed_on=on(10, 1),
            decision="Vision",
            agreed_by=[stranger],
        )
    assert "Only this cadre's members" in str(error.value)
    with pytest.raises(ValidationError):
        cadre_services.record_consensus(
            step,
            user=principal,
            agreed_on=TODAY + timedelta(days=1),
            decision="Vision",
            agreed_by=[lucia],
        )
    consensus = cadre_services.record_consensus(
        step,
        user=principal,
        agreed_on=on(10, 1),
        decision="Vision",
        agreed_by=[lucia, dolores],
    )
    assert set(consensus.agreed_by.all()) == {lucia, dolores}
    step.refresh_from_db()
    assert step.done_on == on(10, 1)  # a consensus completes its step
    assert cadre.changes.filter(object_kind="consensus", action="agreed").exists()


@pytest.mark.calendar
def test_sharing_needs_actions_and_the_cadres_consensus(cadre, principal):
    with pytest.raises(ValidationError, match="Add the action plan"):
        cadre_services.share_plan(cadre, user=principal)
    CadreAction.objects.create(cadre=cadre, description="Family center", owner="Cadre")
    with pytest.raises(ValidationError, match="consensus on the action plan"):
        cadre_services.share_plan(cadre, user=principal)
    lucia = CadreMember.objects.create(cadre=cadre, name="Lucia", group=CadreGroup.PARENT)
    cadre_services.record_consensus(
        cadre.steps.get(step=CommpactStep.ACTION_PLAN),
        user=principal,
        agreed_on=on(11, 1),
        decision="The family center plan",
        agreed_by=[lucia],
    )
    teacher = member(Role.SCHOOL_STAFF, cadre.school)
    cadre = cadre_services.share_plan(cadre, user=principal)
    assert cadre.is_shared and cadre.shared_by == principal
    email = OutboxEmail.objects.get(subject__contains="family engagement action plan")
    assert {principal.email, teacher.email} <= set(email.to)
    assert "Family center (owner: Cadre)" in email.body
    assert StepRecord.objects.get(cadre=cadre, step=CommpactStep.SHARE_PLAN).done_on is not None


def test_adding_a_member_with_an_account_limits_it_to_cadre_content(client, cadre, principal):
    client.force_login(principal)
    url = reverse("doc_item_add", kwargs={"doc": "cadres", "pk": cadre.pk, "kind": "member"})
    response = client.post(url, {"name": "Rosa Diaz", "group": "community", "give_account": "on"})
    assert "An account needs an e-mail address." in response.content.decode()
    assert not CadreMember.objects.exists() and not User.objects.filter(first_name="Rosa").exists()
    client.post(
        url,
        {
            "name": "Rosa Diaz",
            "group": "community",
            "email": "rosa@example.org",
            "give_account": "on",
        },
    )
    rosa = CadreMember.objects.get()
    assert rosa.account.email == "rosa@example.org"
    membership = Membership.objects.get(user=rosa.account)
    assert (membership.role, membership.school, membership.cadre_group) == (
        Role.CADRE_MEMBER,
        cadre.school,
        "community",
    )
    assert OutboxEmail.objects.filter(to=["rosa@example.org"]).exists()
    client.force_login(rosa.account)
    assert client.get(cadre.get_absolute_url()).status_code == 200
    assert client.get(cadre.school.get_absolute_url()).status_code == 404
    # Leaving the cadre ends the account's access.
    client.force_login(principal)
    remove = reverse(
        "doc_item_remove",
        kwargs={"doc": "cadres", "pk": cadre.pk, "kind": "member", "item_pk": rosa.pk},
    )
    client.post(remove, {"confirm": "on"})
    assert not CadreMember.objects.exists()
    assert not Membership.objects.filter(user=rosa.account).exists()
    client.force_login(rosa.account)
    assert client.get(cadre.get_absolute_url()).status_code == 404


def test_resources_carry_contributor_and_value(client, cadre, principal):
    client.force_login(principal)
    url = reverse("doc_item_add", kwargs={"doc": "cadres", "pk": cadre.pk, "kind": "resource"})
    client.post(
        url,
        {
            "description": "Kits",
            "contributor": "partner",
            "contributor_name": "Library",
            "value": "1200",
        },
    )
    client.post(url, {"description": "Liaison", "contributor": "district", "value": "9500.50"})
    response = client.post(url, {"description": "Bad", "contributor": "nobody", "value": "lots"})
    assert response.status_code == 200 and Resource.objects.count() == 2
    page = client.get(cadre.get_absolute_url()).content.decode()
    assert "Partner organisation: Library" in page and "$10,700.50" in page
    assert sum(r.value for r in Resource.objects.all()) == Decimal("10700.50")


def test_vision_edit_keeps_history(client, cadre, parent):
    client.force_login(parent)
    url = reverse(
        "doc_item_edit",
        kwargs={"doc": "cadres", "pk": cadre.pk, "kind": "vision", "item_pk": cadre.pk},
    )
    client.post(url, {"vision": "Every family a partner", "expected_version": 1})
    cadre.refresh_from_db()
    assert cadre.vision == "Every family a partner"
    assert cadre.changes.get(object_kind="cadre's vision").by == parent


# --- Surveys -----------------------------------------------------------------------------


def test_a_good_survey_imports_with_its_counts(cadre, principal):
    survey = surveys.import_survey(
        cadre, user=principal, kind="parent", title="Fall", data=GOOD.encode()
    )
    assert survey.questions == ["I feel welcome", "I know how my child is doing"]
    assert survey.responses.count() == 4
    columns, summaries = survey_results.summarise(survey)
    assert [(c.label, c.respondents) for c in columns] == [
        ("All", 4),
        ("Parents", 2),
        ("Students", 1),
        ("Community", 1),
    ]
    welcome, informed = summaries
    assert [count for _, _, count, _ in welcome.counts] == [0, 0, 1, 2, 1]
    assert welcome.agree_percent == 75
    assert (informed.answered, informed.blank) == ([3, 1, 1, 1], 1)
    assert welcome.agree == [75, 100, 0, 100]  # all, parents, students, community
    assert [count for _, _, count, _ in informed.counts] == [0, 2, 0, 1, 0]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "The file is empty."),
        (b"   \n", "The file is empty."),
        ("respondent_group,Q1\nparent,Agrée\n".encode("latin-1"), "not UTF-8"),
        ("\ufeffrespondent_group,Q1\nparent,Agree\n".encode("utf-16"), "not UTF-8"),
        (
            b"group,Q1\nparent,Agree\n",
            "Line 1 of the file (the header): the first column must be "
            "\u201crespondent_group\u201d",
        ),
        (b"respondent_group\nparent\n", "no question columns"),
        (b"respondent_group,Q1,Q1\nparent,Agree,Agree\n", "appears twice"),
        (
            b"respondent_group,Q1,\nparent,Agree,Agree\n",
            "Line 1 of the file (the header), column 3: the question has no heading",
        ),
        (b"respondent_group,Q1\n", "no responses"),
        (
            b"respondent_group,Q1\nparent,Agree\nparent,Maybe\n",
            "Line 3 of the file (row 2 of responses), column \u201cQ1\u201d",
        ),
        (
            b"respondent_group,Q1\nparent,Agree\nteacher,Agree\n",
            "Line 3 of the file (row 2 of responses), column respondent_group",
        ),
        (
            b"respondent_group,Q1\nparent,Agree,Extra\n",
            "Line 2 of the file (row 1 of responses): it has 3 values; the header has 2",
        ),
        (b"respondent_group,Q1\nparent,6\n", "Line 2 of the file (row 1 of responses), column"),
        # Were 500s: a byte order mark alone parses to no rows at all; "²" is a digit to
        # str.isdigit() and not to int().
        (b"\xef\xbb\xbf", "The file is empty."),
        (
            "respondent_group,Q1\nparent,²\n".encode(),
            "Line 2 of the file (row 1 of responses), column \u201cQ1\u201d: \u201c²\u201d",
        ),
    ],
)
def test_a_bad_survey_imports_nothing_and_says_where(cadre, principal, data, message):
    with pytest.raises(surveys.SurveyImportError) as error:
        surveys.import_survey(cadre, user=principal, kind="parent", title="Fall", data=data)
    text = " ".join(error.value.messages)
    assert message in text
    assert text.startswith("Nothing was imported.")
    assert not Survey.objects.exists() and not SurveyResponse.objects.exists()


def test_every_bad_row_is_listed_not_just_the_first(cadre, principal):
    rows = "".join(f"parent,Nope{n}\n" for n in range(30))
    with pytest.raises(surveys.SurveyImportError) as error:
        surveys.read_survey(f"respondent_group,Q1\nparent,Agree\n{rows}".encode())
    assert len(error.value.errors) == 30
    assert error.value.messages[-1] == "… and 10 more problems."


def test_survey_upload_page_shows_the_errors_and_writes_nothing(client, cadre, parent):
    client.force_login(parent)
    url = reverse("survey_import", args=[cadre.pk])
    upload = SimpleUploadedFile("s.csv", b"respondent_group,Q1\nparent,Agree\nparent,Sometimes\n")
    response = client.post(url, {"kind": "parent", "title": "Fall", "file": upload})
    page = response.content.decode()
    assert response.status_code == 200
    assert "Nothing was imported" in page
    assert "Line 3 of the file (row 2 of responses), column “Q1”" in page
    assert not Survey.objects.exists()
    upload = SimpleUploadedFile("s.csv", GOOD.encode())
    response = client.post(url, {"kind": "culture", "title": "Fall", "file": upload})
    survey = Survey.objects.get()
    assert response.status_code == 302 and response["Location"] == survey.get_absolute_url()
    page = client.get(survey.get_absolute_url()).content.decode()
    assert "75% agree" in page and "<svg" in page


def test_survey_of_another_school_is_not_reachable(client, cadre, principal, other_school):
    survey = surveys.import_survey(
        cadre, user=principal, kind="parent", title="Fall", data=GOOD.encode()
    )
    client.force_login(member(Role.CADRE_MEMBER, other_school))
    assert client.get(survey.get_absolute_url()).status_code == 404
    assert client.get(reverse("survey_import", args=[cadre.pk])).status_code == 404


@pytest.mark.calendar
def test_the_cadre_page_does_not_query_per_row(
    client, cadre, parent, django_assert_max_num_queries
):
    for n in range(20):
        member_row = CadreMember.objects.create(cadre=cadre, name=f"M{n}", group="parent")
        CadreAction.objects.create(cadre=cadre, description=f"A{n}", owner="o")
        Resource.objects.create(cadre=cadre, description=f"R{n}", contributor="district", value=1)
        cadre_services.record_consensus(
            cadre.steps.get(step=CommpactStep.VISION),
            user=parent,
            agreed_on=on(10, 1),
            decision=f"D{n}",
            agreed_by=[member_row],
        )
    client.force_login(parent)
    with django_assert_max_num_queries(20):
        assert client.get(cadre.get_absolute_url()).status_code == 200
