"""Surveys of other kinds (single choice, select all that apply, free text) and their results by
respondent group; the research models the cadre reviewed; who may sit on a cadre (seed 004)."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from plans import cadre as cadre_services
from plans import survey_results, surveys
from plans.models import CadreMember, QuestionKind, ResearchModel, Survey, SurveyResponse
from schoolplan.models import CadreGroup, Role

from ..clock import on
from ..factories import member

pytestmark = pytest.mark.django_db

MIXED = (
    "respondent_group,I feel welcome,Do you work evenings? [choice],"
    "Which services would help you? [multi],What else should we know? [text]\n"
    "parent,Agree,Yes,Tutoring;Childcare,More meetings after 6pm\n"
    "parent,5,yes , tutoring ; ESL classes,\n"
    "parent,2,No,Childcare,<script>alert(1)</script>\n"
    "student,Neutral,,Tutoring,\n"
    "staff,Agree,No,,We need interpreters\n"
    "community,,Yes,Food pantry;Tutoring,\n"
)


@pytest.fixture
def principal(school):
    return member(Role.PRINCIPAL, school)


@pytest.fixture
def cadre(school, school_year, principal, clock):
    clock.set(on(11, 20))
    return cadre_services.start_cadre(school=school, year=school_year, user=principal)


def _import(cadre, user, data=MIXED):
    return surveys.import_survey(cadre, user=user, kind="parent", title="Needs", data=data.encode())


def test_the_heading_suffix_declares_the_kind_and_a_plain_heading_stays_on_the_scale(
    cadre, principal
):
    survey = _import(cadre, principal)
    assert survey.kinds_of_questions == [
        ("I feel welcome", QuestionKind.SCALE),
        ("Do you work evenings?", QuestionKind.CHOICE),
        ("Which services would help you?", QuestionKind.MULTI),
        ("What else should we know?", QuestionKind.TEXT),
    ]
    assert surveys.question_and_kind("How often [per week]") == (
        "How often [per week]",
        QuestionKind.SCALE,
    )
    assert surveys.question_and_kind("Ideas [ TEXT ]") == ("Ideas", QuestionKind.TEXT)


def test_a_survey_imported_before_kinds_reads_as_all_scale(cadre, principal):
    survey = Survey.objects.create(cadre=cadre, kind="parent", title="Old", questions=["Q1"])
    SurveyResponse.objects.create(
        survey=survey, row_number=2, respondent_group="parent", answers={"Q1": 4}
    )
    columns, (summary,) = survey_results.summarise(survey)
    assert summary.kind == QuestionKind.SCALE and summary.agree_percent == 100


def test_single_choice_counts_each_option_spelled_as_first_written(cadre, principal):
    _, summaries = survey_results.summarise(_import(cadre, principal))
    choice = summaries[1]
    assert [(label, cells[0].count) for _, label, cells in choice.rows] == [("Yes", 3), ("No", 2)]
    assert choice.answered[0] == 5 and choice.blank == 1
    assert round(choice.rows[0][2][0].percent) == 60


def test_select_all_counts_respondents_per_option_most_chosen_first(cadre, principal):
    _, summaries = survey_results.summarise(_import(cadre, principal))
    multi = summaries[2]
    rows = [(label, cells[0].count, round(cells[0].percent)) for _, label, cells in multi.rows]
    # 5 answered; one respondent may pick several, so the percents add up to more than 100.
    assert rows == [
        ("Tutoring", 4, 80),
        ("Childcare", 2, 40),
        ("ESL classes", 1, 20),
        ("Food pantry", 1, 20),
    ]
    assert multi.answered == [5, 3, 1, 0, 1]


def test_results_by_group_side_by_side_with_n(cadre, principal):
    columns, summaries = survey_results.summarise(_import(cadre, principal))
    assert [(c.label, c.respondents) for c in columns] == [
        ("All", 6),
        ("Parents", 3),
        ("Students", 1),
        ("Staff", 1),
        ("Community", 1),
    ]
    welcome = summaries[0]
    assert welcome.agree == [60, 67, 0, 100, 0]
    tutoring = summaries[2].rows[0][2]
    assert [cell.count for cell in tutoring] == [4, 2, 1, 0, 1]


def test_free_text_is_listed_with_its_group_capped_with_a_count(cadre, principal):
    rows = "".join(f"parent,Agree,Yes,Tutoring,idea {n}\n" for n in range(60))
    header = MIXED.splitlines()[0]
    _, summaries = survey_results.summarise(_import(cadre, principal, f"{header}\n{rows}"))
    text = summaries[3]
    assert len(text.texts) == survey_results.MAX_TEXTS
    assert text.texts[0] == ("Parents", "idea 0")
    assert text.more_texts == 10


def test_the_results_page_shows_each_kind_by_group_and_escapes_text(client, cadre, principal):
    survey = _import(cadre, principal)
    client.force_login(principal)
    page = client.get(survey.get_absolute_url()).content.decode()
    assert "Select all that apply" in page and "Single choice" in page
    assert "Parents <span" in page and "n = 3" in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page and "<script>alert" not in page
    assert "add up to more than 100" in page


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            "respondent_group,Q [text]\nparent," + "x" * 1001 + "\n",
            "Line 2 of the file (row 1 of responses), column “Q”: longer than 1000 characters.",
        ),
        (
            "respondent_group,Q [multi]\nparent," + "y" * 101 + "\n",
            "column “Q”: an answer is longer than 100 characters.",
        ),
        (
            "respondent_group,Q [choice]\n" + "".join(f"parent,answer {n}\n" for n in range(41)),
            "Column 2 “Q”: more than 40 different answers",
        ),
        (
            "respondent_group,Q [multi],Q [choice]\nparent,a,b\n",
            "Line 1 of the file (the header), column 3: the question “Q” appears twice.",
        ),
        (
            "respondent_group,Services\n\nparent,Tutoring\n",
            "Line 3 of the file (row 1 of responses), column “Services”: “Tutoring” is not an "
            "answer on the scale",
        ),
    ],
)
def test_bad_answers_of_each_kind_import_nothing_and_say_where(cadre, principal, data, message):
    with pytest.raises(surveys.SurveyImportError) as error:
        _import(cadre, principal, data)
    assert message in " ".join(error.value.messages)
    assert not Survey.objects.exists() and not SurveyResponse.objects.exists()


def test_a_quoted_answer_over_two_lines_names_the_line_it_starts_on(cadre, principal):
    data = 'respondent_group,Q [text]\nparent,"two\nlines"\nteacher,ok\n'
    with pytest.raises(surveys.SurveyImportError) as error:
        _import(cadre, principal, data)
    assert error.value.errors == [
        "Line 4 of the file (row 2 of responses), column respondent_group: “teacher” is not one "
        "of parent, student, staff, community."
    ]


def test_the_results_page_does_not_query_per_response_or_question(
    client, cadre, principal, django_assert_max_num_queries
):
    header = ",".join(
        ["respondent_group"]
        + [f"Q{n} {kind} [{kind}]" for n in range(10) for kind in QuestionKind.values]
    )
    row = ",".join(["parent"] + ["Agree", "Yes", "A;B", "words"] * 10)
    groups = surveys.RESPONDENT_GROUPS
    rows = "".join(row.replace("parent", groups[n % 4], 1) + "\n" for n in range(200))
    survey = _import(cadre, principal, f"{header}\n{rows}")
    client.force_login(principal)
    with django_assert_max_num_queries(12):
        assert client.get(survey.get_absolute_url()).status_code == 200


def test_the_import_page_lists_a_multi_select_error_and_then_imports(client, cadre, principal):
    client.force_login(principal)
    url = reverse("survey_import", args=[cadre.pk])
    bad = MIXED.replace("staff,Agree", "teachers,Agree")
    upload = SimpleUploadedFile("needs.csv", bad.encode())
    page = client.post(url, {"kind": "parent", "title": "Needs", "file": upload}).content.decode()
    assert "Line 6 of the file (row 5 of responses), column respondent_group" in page
    assert not Survey.objects.exists()
    upload = SimpleUploadedFile("needs.csv", MIXED.encode())
    response = client.post(url, {"kind": "parent", "title": "Needs", "file": upload})
    assert response.status_code == 302
    assert Survey.objects.get().responses.count() == 6


# --- Research models (seed 004 step 4.3) --------------------------------------------------


def test_research_models_record_what_was_reviewed_and_adopted(client, cadre, principal):
    client.force_login(principal)
    url = reverse("doc_item_add", kwargs={"doc": "cadres", "pk": cadre.pk, "kind": "research"})
    response = client.post(url, {"name": "", "source": "Epstein"})
    assert response.status_code == 200 and "This field is required." in response.content.decode()
    assert not ResearchModel.objects.exists()
    client.post(
        url,
        {
            "name": "Six types of involvement",
            "source": "Epstein, Johns Hopkins",
            "notes": "Fits our parent center",
            "adopted": "on",
        },
    )
    client.post(url, {"name": "Dual capacity-building framework", "source": "Mapp & Kuttner"})
    page = client.get(cadre.get_absolute_url()).content.decode()
    assert "Six types of involvement" in page and "Adopted" in page and "Reviewed" in page
    adopted = ResearchModel.objects.get(adopted=True)
    assert adopted.name == "Six types of involvement"
    assert cadre.changes.filter(object_kind="research model", action="added").count() == 2
    history = client.get(reverse("doc_history", kwargs={"doc": "cadres", "pk": cadre.pk}))
    assert "Six types of involvement" in history.content.decode()


def test_a_stale_edit_of_a_research_model_is_refused(client, cadre, principal):
    model = ResearchModel.objects.create(cadre=cadre, name="Epstein")
    client.force_login(principal)
    url = reverse(
        "doc_item_edit",
        kwargs={"doc": "cadres", "pk": cadre.pk, "kind": "research", "item_pk": model.pk},
    )
    client.post(url, {"name": "Epstein's six types", "expected_version": model.version})
    response = client.post(
        url, {"name": "Someone else's words", "adopted": "on", "expected_version": model.version}
    )
    model.refresh_from_db()
    assert model.name == "Epstein's six types" and not model.adopted
    assert "Someone else&#x27;s words" in response.content.decode()


def test_a_research_model_of_another_school_is_not_reachable(client, cadre, other_school):
    model = ResearchModel.objects.create(cadre=cadre, name="Epstein")
    client.force_login(member(Role.CADRE_MEMBER, other_school))
    url = reverse(
        "doc_item_edit",
        kwargs={"doc": "cadres", "pk": cadre.pk, "kind": "research", "item_pk": model.pk},
    )
    assert client.post(url, {"name": "X", "expected_version": 1}).status_code == 404
    assert ResearchModel.objects.get().name == "Epstein"


# --- Who sits on the cadre (seed 004 steps 1 and 3) ------------------------------------------


def test_governance_council_and_union_representatives_are_cadre_groups(client, cadre, principal):
    client.force_login(principal)
    url = reverse("doc_item_add", kwargs={"doc": "cadres", "pk": cadre.pk, "kind": "member"})
    client.post(url, {"name": "Ruth Ames", "group": "governance_council"})
    client.post(url, {"name": "Tom Bell", "group": "union"})
    groups = dict(CadreMember.objects.values_list("name", "group"))
    assert groups == {"Ruth Ames": CadreGroup.GOVERNANCE_COUNCIL, "Tom Bell": CadreGroup.UNION}
    page = client.get(cadre.get_absolute_url()).content.decode()
    assert "School Governance Council" in page and "Union representative" in page
