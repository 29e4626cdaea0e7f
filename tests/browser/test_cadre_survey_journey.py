"""A cadre member imports a needs survey with a select-all question (seed 004: "which services
would help you"): a bad file is refused with its line, row and column and nothing imported; the
fixed file imports, and the results read side by side by respondent group."""

import pytest
from playwright.sync_api import expect

from plans import cadre as cadre_services
from plans.models import CadreMember, Survey
from schoolplan.models import CadreGroup, Role

from ..clock import on
from ..factories import UserFactory, member
from .conftest import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "cadre-survey-004"

HEADER = (
    "respondent_group,I feel welcome at school,Which services would help your family? [multi],"
    "What else should we know? [text]\n"
)
ROWS = [
    "parent,Agree,Tutoring;Childcare at meetings,Meetings after 6 pm please",
    "parent,Strongly agree,Tutoring;ESL classes,",
    "parent,Disagree,Childcare at meetings,<b>Interpreters</b> please",
    "student,Neutral,Tutoring,",
    "staff,Agree,ESL classes;Tutoring,",
    "community,Agree,Food pantry,",
]


@pytest.fixture
def lucia(school, school_year, clock):
    clock.set(on(11, 20))
    principal = member(Role.PRINCIPAL, school)
    cadre = cadre_services.start_cadre(school=school, year=school_year, user=principal)
    user = UserFactory(username="lucia", first_name="Lucia", last_name="Hernandez")
    user.set_password(PASSWORD)
    user.save()
    member(Role.CADRE_MEMBER, school, user=user)
    CadreMember.objects.create(cadre=cadre, name="Lucia", group=CadreGroup.PARENT, account=user)
    return cadre


def test_import_a_multi_select_survey_fix_it_and_read_it_by_group(
    page, lucia, screenshot, tmp_path
):
    bad = tmp_path / "needs-survey.csv"
    # The fifth answer's group is misspelt: line 6 of the file, the 5th response.
    bad.write_text(HEADER + "\n".join(ROWS).replace("staff,", "teachers,") + "\n")
    log_in(page, "lucia", PASSWORD)
    page.goto(lucia.get_absolute_url())
    page.get_by_role("link", name="Import a survey").click()
    page.get_by_label("Kind of survey").select_option("parent")
    page.get_by_label("Title").fill("Family needs, fall")
    page.get_by_label("CSV file").set_input_files(str(bad))
    page.get_by_role("button", name="Check and import").click()

    errors = page.locator("#import-errors")
    expect(errors).to_contain_text("Nothing was imported")
    expect(errors).to_contain_text(
        "Line 6 of the file (row 5 of responses), column respondent_group: “teachers” is not one "
        "of parent, student, staff, community."
    )
    expect(page.get_by_label("Title")).to_have_value("Family needs, fall")
    screenshot(page, "90-cadre-survey-refused")
    assert not Survey.objects.exists()

    good = tmp_path / "needs-survey-fixed.csv"
    good.write_text(HEADER + "\n".join(ROWS) + "\n")
    page.get_by_label("CSV file").set_input_files(str(good))
    page.get_by_role("button", name="Check and import").click()
    expect(page.get_by_text("Imported 6 responses to “Family needs, fall”.")).to_be_visible()

    services = page.get_by_role(
        "region", name="Answers to “Which services would help your family?”"
    )
    header = services.get_by_role("row").first
    for label in ("All n = 6", "Parents n = 3", "Students n = 1", "Staff n = 1", "Community n = 1"):
        expect(header).to_contain_text(label)
    # Most chosen first; a respondent may pick several, so percents are of respondents.
    expect(services.get_by_role("row").nth(1)).to_contain_text("Tutoring")
    expect(services.get_by_role("row").nth(1)).to_contain_text("4 (67%)")
    expect(page.get_by_text("add up to more than 100")).to_be_visible()
    # Free text is shown as typed, never as markup.
    expect(page.get_by_text("<b>Interpreters</b> please")).to_be_visible()
    screenshot(page, "91-cadre-survey-by-group")
    assert Survey.objects.get().responses.count() == 6
