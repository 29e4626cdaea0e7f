"""A family answers a community meeting on a 375-px phone in its own language, without an
account; it changes the answer through its private link; the principal then sees the counts and
the list on the meeting's page (issue 22, "RSVP without an account")."""

from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from progress.models import FamilyReply
from schoolplan.models import Role

from ..clock import on
from ..factories import SchoolFactory, SchoolYearFactory, member
from ..meeting_helpers import at, check_in
from .conftest import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "family-replies-22"
TODAY = on(12, 4)

# What the family reads and taps, in each language the journey is run in.
WORDS = {
    "es": {
        "language": "Español",
        "answer": "Díganos si va a venir",
        "coming": "Sí, vamos a ir",
        "adults": "Adultos",
        "children": "Niños",
        "interpretation": "Interpretación que necesitamos",
        "interpreted": "vietnamita",
        "childcare": "Necesitamos cuidado de niños durante la reunión",
        "name": "Su nombre (opcional)",
        "send": "Enviar mi respuesta",
        "saved": "Gracias: su respuesta está guardada",
        "save": "Guardar mis cambios",
        "changed": "Su respuesta se cambió. Gracias.",
    },
    "ar": {
        "language": "العربية",
        "answer": "أخبرونا إن كنتم ستحضرون",
        "coming": "نعم، سنحضر",
        "adults": "البالغون",
        "children": "الأطفال",
        "interpretation": "اللغة التي نحتاج إلى ترجمة فورية إليها",
        "interpreted": "الفيتنامية",
        "childcare": "نحتاج إلى رعاية الأطفال أثناء الاجتماع",
        "name": "الاسم (اختياري)",
        "send": "أرسِل ردّي",
        "saved": "شكرًا لكم: حُفظ ردّكم",
        "save": "احفظ تعديلاتي",
        "changed": "عُدِّل ردّكم. شكرًا لكم.",
    },
}


@pytest.mark.parametrize("language", sorted(WORDS))
def test_a_family_answers_on_a_phone_and_the_principal_plans_with_it(
    chromium, live_server, page, clock, screenshot, language
):
    words = WORDS[language]
    clock.set(TODAY, tick=True)
    school = SchoolFactory(name="Valdez Elementary", family_languages=["en", "es", "vi", "ar"])
    year = SchoolYearFactory(district=school.district)
    day = TODAY + timedelta(days=10)
    meeting = check_in(
        school, year, day, title="Check In: how our goals are going", ends_at=at(day, 19)
    )
    principal = member(Role.PRINCIPAL, school)
    principal.set_password(PASSWORD)
    principal.save()

    context = chromium.new_context(
        base_url=live_server.url, viewport={"width": 375, "height": 812}, is_mobile=True
    )
    clock.follow(context)
    phone = context.new_page()
    phone.set_default_timeout(10_000)
    phone.goto(f"/families/{school.public_slug}/")
    phone.get_by_role("link", name=words["language"]).click()
    expect(phone.locator("html")).to_have_attribute("lang", language)
    expect(phone.locator("html")).to_have_attribute("dir", "rtl" if language == "ar" else "ltr")
    phone.get_by_role("link", name=words["answer"]).click()
    expect(phone.get_by_role("heading", level=1)).to_have_text(words["answer"])
    assert not context.cookies(), "no cookie to answer"

    phone.get_by_label(words["coming"]).check()
    phone.get_by_label(words["adults"], exact=True).fill("2")
    phone.get_by_label(words["children"], exact=True).fill("1")
    phone.get_by_label(words["interpretation"]).select_option(label=words["interpreted"])
    phone.get_by_label(words["childcare"]).check()
    phone.get_by_label(words["name"]).fill("Nguyen")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 375
    screenshot(phone, f"80-family-reply-form-{language}")
    clock.advance(seconds=5)  # a person reads before sending
    phone.get_by_role("button", name=words["send"]).click()
    expect(phone.get_by_role("heading", level=1)).to_have_text(words["saved"])
    link = phone.locator("a[href*='/replies/']").get_attribute("href")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 375
    screenshot(phone, f"81-family-reply-done-{language}")
    reply = FamilyReply.objects.get()
    assert (reply.adults, reply.children, reply.interpretation, reply.childcare) == (
        2,
        1,
        "vi",
        True,
    )

    # Later, from the link (its path: SITE_URL in the tests is not the live server's address).
    phone.goto(urlsplit(link).path)
    expect(phone.get_by_label(words["adults"], exact=True)).to_have_value("2")
    phone.get_by_label(words["adults"], exact=True).fill("3")
    phone.get_by_role("button", name=words["save"]).click()
    expect(phone.get_by_text(words["changed"])).to_be_visible()
    reply.refresh_from_db()
    assert reply.adults == 3
    context.close()

    log_in(page, principal.username, PASSWORD)
    page.goto(meeting.get_absolute_url())
    section = page.locator("section", has=page.get_by_role("heading", name="Families' answers"))
    expect(section).to_contain_text("Expected: 4 people")
    expect(section).to_contain_text("Vietnamese: 1 family")
    expect(section).to_contain_text("not offered yet")
    expect(section).to_contain_text("1 family asked for childcare, 1 child.")
    expect(section.get_by_role("cell", name="Nguyen")).to_be_visible()
    section.scroll_into_view_if_needed()
    screenshot(page, f"82-meeting-family-replies-{language}")


# What the families' page says in each language, and the school's words translated for it.
PAGE = {
    "en": ("Welcome, families", "We grew in math this year."),
    "es": ("Bienvenidas, familias", "Este año crecimos en matemáticas."),
    "vi": ("Chào mừng các gia đình", "Năm nay chúng tôi tiến bộ về toán."),
    "ar": ("أهلًا بالأسر", "تحسّنّا هذا العام في الرياضيات."),
}
TITLES = {"es": "Reunión de mitad de año", "vi": "Họp giữa năm", "ar": "اجتماع منتصف العام"}


def test_the_families_page_in_each_language_on_a_phone(chromium, live_server, clock, screenshot):
    from plans import workflow
    from progress import spf
    from schoolplan import translations

    clock.set(TODAY, tick=True)
    school = SchoolFactory(name="Valdez Elementary", family_languages=["en", "es", "vi", "ar"])
    year = SchoolYearFactory(district=school.district)
    principal = member(Role.PRINCIPAL, school)
    summary = spf.save_texts(
        school, year, {code: text for code, (_, text) in PAGE.items()}, user=principal
    )
    spf.publish(summary, user=principal)
    blueprint = workflow.start_blueprint(school=school, year=year, user=principal)
    from meetings.models import Goal

    Goal.objects.create(school=school, school_year=year, area="math", text="40% meet the standard")
    workflow.publish_blueprint(blueprint, user=principal)
    day = TODAY + timedelta(days=10)
    meeting = check_in(
        school,
        year,
        day,
        title="Check In: how our goals are going",
        ends_at=at(day, 19),
        languages_offered=["en", "es", "vi", "ar"],
    )
    for code, title in TITLES.items():
        translations.save(school, meeting, "title", code, title, 0, principal)

    context = chromium.new_context(
        base_url=live_server.url, viewport={"width": 375, "height": 812}, is_mobile=True
    )
    clock.follow(context)
    phone = context.new_page()
    for code, (welcome, summary_text) in PAGE.items():
        phone.goto(f"/families/{school.public_slug}/" + ("" if code == "en" else f"{code}/"))
        expect(phone.get_by_text(summary_text)).to_be_visible()
        expect(phone.locator("main")).to_contain_text(welcome)
        if code != "en":
            expect(phone.get_by_role("heading", name=TITLES[code])).to_be_visible()
        assert phone.evaluate("document.documentElement.scrollWidth") <= 375, code
        if code == "ar":  # mirrored: the school's name starts at the right edge
            box = phone.get_by_role("link", name="Valdez Elementary").bounding_box()
            assert box["x"] + box["width"] > 300
        screenshot(phone, f"87-families-page-{code}-375")
    context.close()
