"""Two of a school's staff translate its words for families into Spanish at the same time: the
second save of the same box is refused with both texts, the other boxes are saved, and families
then read the Spanish (issue 22, part 1)."""

from datetime import timedelta

import pytest
from playwright.sync_api import expect

from meetings.models import Goal
from plans import workflow
from schoolplan.models import ContentTranslation, Role

from ..clock import on
from ..factories import SchoolFactory, SchoolYearFactory, member
from ..meeting_helpers import check_in
from .conftest import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "translations-22"
TODAY = on(12, 4)


def test_two_translators_at_once_and_families_read_the_result(
    chromium, live_server, page, clock, screenshot
):
    clock.set(TODAY, tick=True)
    school = SchoolFactory(name="Valdez Elementary", family_languages=["en", "es"])
    year = SchoolYearFactory(district=school.district)
    principal, teacher = member(Role.PRINCIPAL, school), member(Role.SCHOOL_STAFF, school)
    for person in (principal, teacher):
        person.set_password(PASSWORD)
        person.save()
    blueprint = workflow.start_blueprint(school=school, year=year, user=principal)
    Goal.objects.create(school=school, school_year=year, area="math", text="40% meet the standard")
    workflow.publish_blueprint(blueprint, user=principal)
    day = TODAY + timedelta(days=8)
    check_in(school, year, day, title="Check In community meeting")

    second = chromium.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
    clock.follow(second)
    teacher_page = second.new_page()
    log_in(page, principal.username, PASSWORD)
    log_in(teacher_page, teacher.username, PASSWORD)
    page.goto(f"/schools/{school.pk}/")
    page.get_by_role("link", name="Families' languages").click()
    expect(page.get_by_role("row", name="Spanish")).to_contain_text("3")
    page.get_by_role("link", name="Translate into Spanish").click()
    teacher_page.goto(page.url)

    title = "Title: Check In community meeting"
    teacher_page.get_by_label(title).fill("Reunión de los maestros")
    teacher_page.get_by_role("button", name="Save translations").click()
    expect(teacher_page.get_by_text("Saved 1 translation.")).to_be_visible()

    page.get_by_label(title).fill("Reunión comunitaria de mitad de año")
    page.get_by_label("Place: Check In community meeting").fill("Cafetería")
    page.get_by_role("button", name="Save translations").click()
    expect(page.get_by_text("Not saved:")).to_contain_text("Reunión de los maestros")
    expect(page.get_by_label(title)).to_have_value("Reunión comunitaria de mitad de año")
    screenshot(page, "85-translation-conflict")
    assert dict(ContentTranslation.objects.values_list("field", "text")) == {
        "title": "Reunión de los maestros",
        "place": "Cafetería",
    }
    page.get_by_role("button", name="Save translations").click()  # theirs seen: mine wins now
    expect(page.get_by_text("Saved 1 translation.")).to_be_visible()
    second.close()

    phone = chromium.new_context(
        base_url=live_server.url, viewport={"width": 375, "height": 812}, is_mobile=True
    )
    clock.follow(phone)
    family = phone.new_page()
    family.goto(f"/families/{school.public_slug}/es/")
    expect(
        family.get_by_role("heading", name="Reunión comunitaria de mitad de año")
    ).to_be_visible()
    expect(family.get_by_text("Cafetería")).to_be_visible()
    expect(family.get_by_text("40% meet the standard")).to_have_attribute("lang", "en")
    expect(family.get_by_text("(todavía sin traducir)")).to_be_visible()
    screenshot(family, "86-family-page-partly-translated-es")
    phone.close()
