"""The families' page (DOMAIN: progress, CPM): public, only what was published, in English and
Spanish, cached and forgotten on publish."""

import io
import re
import shutil
import subprocess
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.urls import reverse

from meetings.models import Goal, GroupNote, Meeting, MeetingStatus, MeetingType, PupilNote
from plans import workflow
from plans.models import Initiative
from progress import spf
from progress.models import Measurement, Metric, SpfSummary
from schoolplan.models import Role

from ..cap_helpers import make_class, make_point, schedule_cap
from ..clock import on
from ..conftest import IN_CI
from ..factories import SchoolYearFactory, member
from ..meeting_helpers import at, check_in
from ..school_plan_helpers import complete_plan

pytestmark = pytest.mark.django_db

CANARY = "CANARY-{}-7f3e"
# The families' pages' languages besides English: each ships a complete catalogue.
SHIPPED = [code for code, _ in settings.LANGUAGES if code != "en"]


def po_file(language):
    return Path(settings.BASE_DIR) / "locale" / language / "LC_MESSAGES" / "django.po"


# The day the families look: early in the Check In window, its meeting coming up.
TODAY = on(12, 4)


@pytest.fixture
def world(school, clock):
    """A school with published and unpublished things, each unpublished one carrying a canary."""
    clock.set(TODAY)
    today = TODAY
    year = SchoolYearFactory(district=school.district)
    principal = member(Role.PRINCIPAL, school)
    principal.first_name, principal.last_name = "Ana", CANARY.format("staffname")
    principal.save()
    teacher = member(Role.SCHOOL_STAFF, school)
    summary = spf.save_texts(
        school, year, {"en": "We grew in math.", "es": "Crecimos en matemáticas."}, user=principal
    )
    spf.publish(summary, user=principal)
    blueprint = workflow.start_blueprint(school=school, year=year, user=principal)
    blueprint.theory_of_action = "If we teach math talk, students explain their thinking."
    blueprint.save()
    Initiative.objects.create(blueprint=blueprint, area="math", title="Math talk every day")
    goal = Goal.objects.create(
        school=school, school_year=year, area="math", text="40% meet the math standard"
    )
    metric = Metric.objects.create(
        goal=goal,
        name="Math proficiency",
        unit="%",
        baseline=Decimal("31"),
        target=Decimal("40"),
        target_date=on(5, 30),
    )
    # On the path's straight line it should be about 35.5 today; 36 is on track.
    Measurement.objects.create(
        metric=metric, date=today, value=Decimal("36"), note=CANARY.format("measurementnote")
    )
    workflow.publish_blueprint(blueprint, user=principal)
    # Things families must never see:
    plan = complete_plan(school, year, principal)
    plan.problems.update(gap=CANARY.format("essadraft"))
    upcoming = today + timedelta(days=5)
    check_in(school, year, upcoming)
    Meeting.objects.create(
        district=school.district,
        school=school,
        school_year=year,
        meeting_type=MeetingType.CPM,
        title=CANARY.format("cancelled"),
        starts_at=at(upcoming, 10),
        ends_at=at(upcoming, 11),
        status=MeetingStatus.CANCELLED,
    )
    Meeting.objects.create(
        district=school.district,
        school=school,
        school_year=year,
        meeting_type=MeetingType.CIM_REVIEW,
        title=CANARY.format("cimreview"),
        starts_at=at(upcoming, 12),
        ends_at=at(upcoming, 13),
    )
    school_class = make_class(school, year, teacher)
    cap = schedule_cap(
        school_class, make_point(school, year, day=today - timedelta(days=3)), teacher, day=upcoming
    )
    cap.title = CANARY.format("capmeeting")
    cap.save()
    PupilNote.objects.create(cap=cap.cap, pupil="JD", note=CANARY.format("pupilnote"))
    GroupNote.objects.create(cap=cap.cap, group="Set 2", note=CANARY.format("groupnote"))
    other_year = SchoolYearFactory(district=school.district, start_year=year.start_year + 1)
    SpfSummary.objects.create(
        school=school, school_year=other_year, texts={"en": CANARY.format("draftsummary")}
    )
    return {"school": school, "year": year, "principal": principal, "summary": summary}


def _page(client, school, language=None):
    if language:
        return client.get(reverse("family_school_in", args=[school.public_slug, language]))
    return client.get(reverse("family_school", args=[school.public_slug]))


@pytest.mark.calendar
def test_anyone_reads_what_was_published(client, world):
    response = _page(client, world["school"])
    page = response.content.decode()
    assert response.status_code == 200
    assert "We grew in math." in page
    assert (
        "40% meet the math standard" in page and "Math proficiency" in page and "On track" in page
    )
    assert "Check In for families" in page and "English, Spanish" in page
    assert "Read our School Blueprint" in page


@pytest.mark.calendar
def test_nothing_unpublished_or_private_appears(client, world):
    school = world["school"]
    pages = [
        _page(client, school).content.decode(),
        _page(client, school, "es").content.decode(),
        client.get(reverse("family_blueprint", args=[school.public_slug])).content.decode(),
        client.get(
            reverse("family_blueprint_in", args=[school.public_slug, "es"])
        ).content.decode(),
    ]
    for page in pages:
        leaked = re.findall(r"CANARY-\w+-7f3e", page)
        assert leaked == [], leaked


@pytest.mark.calendar
def test_an_unpublished_summary_and_blueprint_disappear(client, world):
    school, principal = world["school"], world["principal"]
    spf.unpublish(world["summary"], user=principal)
    workflow.unpublish_blueprint(school.blueprints.get(), user=principal)
    page = _page(client, school).content.decode()
    assert "We grew in math." not in page and "40% meet the math standard" not in page
    assert "has not published its summary" in page
    assert client.get(reverse("family_blueprint", args=[school.public_slug])).status_code == 404


@pytest.mark.calendar
def test_the_page_is_cached_and_forgotten_on_publish(
    client, world, django_assert_num_queries, django_capture_on_commit_callbacks
):
    school, principal = world["school"], world["principal"]
    _page(client, school)
    with django_assert_num_queries(1):  # the school; the page itself comes from the cache
        assert "We grew in math." in _page(client, school).content.decode()
    # A change behind the app's back (no signal) is not seen: the page really is cached...
    SpfSummary.objects.filter(pk=world["summary"].pk).update(texts={"en": "Changed quietly."})
    assert "We grew in math." in _page(client, school).content.decode()
    # ...and publishing (through the app) forgets it at once.
    with django_capture_on_commit_callbacks(execute=True):
        summary = spf.save_texts(school, world["year"], {"en": "Published anew."}, user=principal)
        spf.publish(summary, user=principal)
    page = _page(client, school).content.decode()
    assert "Published anew." in page and "We grew in math." not in page


@pytest.mark.calendar
def test_a_new_meeting_shows_up_without_waiting(client, world, django_capture_on_commit_callbacks):
    school = world["school"]
    _page(client, school)
    soon = TODAY + timedelta(days=9)
    with django_capture_on_commit_callbacks(execute=True):
        Meeting.objects.create(
            district=school.district,
            school=school,
            school_year=world["year"],
            meeting_type=MeetingType.CADRE,
            title="Cadre evening",
            starts_at=at(soon, 18),
            ends_at=at(soon, 19),
        )
    assert "Cadre evening" in _page(client, school).content.decode()


@pytest.mark.calendar
def test_the_spanish_page_is_in_spanish(client, world):
    response = _page(client, world["school"], "es")
    page = response.content.decode()
    assert response["Content-Language"] == "es" and '<html lang="es" dir="ltr">' in page
    assert "Crecimos en matemáticas." in page and "We grew in math." not in page
    for spanish in (
        "Cómo le va a nuestra escuela",
        "Próximas reuniones comunitarias",
        "Va bien",
        "inglés, español",
        "Agregar a mi calendario",
    ):
        assert spanish in page, spanish


def _visible_text(html):
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    # The language switcher names each language in itself ("English" on the Spanish page).
    html = re.sub(r'<a [^>]*\blang="en"[^>]*>.*?</a>', " ", html, flags=re.S)
    html = re.sub(r"<[^>]+>", "\n", html)
    return {line.strip() for line in html.splitlines() if line.strip()}


def _po_entries(text=None, language="es"):
    """(msgid, msgstr, fuzzy) of a catalogue, by default the committed one of language (a
    plural entry's msgstr is its forms joined, empty if one is missing)."""
    text = po_file(language).read_text(encoding="utf-8") if text is None else text

    def join(quoted):
        return "".join(re.findall(r'"(.*)"', quoted))

    singular = [
        (join(m.group(2)), join(m.group(3)), bool(m.group(1)))
        for m in re.finditer(
            r'^(#, fuzzy\n)?(?:#\|.*\n)*msgid ((?:".*"\n)+)msgstr ((?:".*"\n?)+)', text, re.M
        )
    ]
    plural = [
        (
            join(m.group(2)),
            "" if any(not join(f) for f in forms) else "|".join(map(join, forms)),
            bool(m.group(1)),
        )
        for m in re.finditer(
            r'^(#, fuzzy\n)?(?:#\|.*\n)*msgid ((?:".*"\n)+)msgid_plural (?:".*"\n)+'
            r'((?:msgstr\[\d\] (?:".*"\n?)+)+)',
            text,
            re.M,
        )
        for forms in [re.split(r"msgstr\[\d\] ", m.group(3))[1:]]
    ]
    return singular + plural


@pytest.mark.parametrize("language", SHIPPED)
def test_every_interface_string_has_its_translation(language):
    entries = [e for e in _po_entries(language=language) if e[0]]
    assert len(entries) > 100
    missing = [msgid for msgid, msgstr, fuzzy in entries if not msgstr or fuzzy]
    assert missing == []
    header = po_file(language).read_text(encoding="utf-8").split("\n\n", 1)[0]
    assert "#, fuzzy" not in header, "a fuzzy header drops the plural forms from the .mo"
    assert f'"Language: {language}\\n"' in header


def _gettext_tools():
    if shutil.which("msgfmt") and shutil.which("xgettext"):
        return True
    if IN_CI:
        pytest.fail("gettext (msgfmt, xgettext) is missing: .ci/run installs it")
    pytest.skip("gettext is not installed here")


@pytest.mark.parametrize("language", SHIPPED)
def test_the_compiled_catalogue_is_up_to_date(tmp_path, language):
    _gettext_tools()
    compiled, source = tmp_path / "django.mo", po_file(language)
    subprocess.run(["msgfmt", "--check-format", "-o", str(compiled), str(source)], check=True)
    assert compiled.read_bytes() == source.with_suffix(".mo").read_bytes(), (
        "run: manage.py compilemessages"
    )


def test_the_catalogue_has_every_string_of_the_code(tmp_path, settings, monkeypatch):
    """makemessages over a copy of the project finds no string the catalogue lacks."""
    _gettext_tools()
    for part in ("schoolplan", "meetings", "plans", "progress", "templates", "locale"):
        shutil.copytree(Path(settings.BASE_DIR) / part, tmp_path / part)
    settings.LOCALE_PATHS = [tmp_path / "locale"]
    monkeypatch.chdir(tmp_path)  # makemessages reads and writes below the current folder
    call_command("makemessages", locale=SHIPPED, verbosity=0)
    for language in SHIPPED:
        fresh = tmp_path / "locale" / language / "LC_MESSAGES" / "django.po"
        wanted = {msgid for msgid, _, _ in _po_entries(fresh.read_text(encoding="utf-8")) if msgid}
        have = {msgid for msgid, _, _ in _po_entries(language=language)}
        assert len(wanted) > 100
        assert wanted - have == set(), f"run makemessages -l {language}, translate the new strings"


@pytest.mark.calendar
@pytest.mark.parametrize("language", SHIPPED)
def test_no_english_interface_string_is_left_on_the_translated_pages(client, world, language):
    school = world["school"]
    english = {
        msgid
        for msgid, msgstr, _ in _po_entries(language=language)
        if msgid and msgid != msgstr and "%(" not in msgid
    }
    meeting = Meeting.objects.get(title="Check In for families")
    for url in (
        reverse("family_school_in", args=[school.public_slug, language]),
        reverse("family_blueprint_in", args=[school.public_slug, language]),
        reverse("family_reply_in", args=[school.public_slug, language, meeting.pk]),
    ):
        text = _visible_text(client.get(url).content.decode())
        # The school's own words (names, goals, titles) are data; the interface is not.
        left = {line for line in text if line in english}
        assert left == set(), (url, left)


@pytest.mark.calendar
def test_the_calendar_file_is_only_for_community_meetings(client, world):
    school = world["school"]
    check_in = Meeting.objects.get(title="Check In for families")
    response = client.get(reverse("family_meeting_ics", args=[school.public_slug, check_in.pk]))
    assert response.status_code == 200 and b"BEGIN:VEVENT" in response.content
    for title in ("cimreview", "capmeeting"):
        meeting = Meeting.objects.get(title=CANARY.format(title))
        url = reverse("family_meeting_ics", args=[school.public_slug, meeting.pk])
        assert client.get(url).status_code == 404


def test_an_unknown_school_is_a_404(client, db):
    assert client.get(reverse("family_school", args=["no-such-school"])).status_code == 404


@pytest.mark.calendar
def test_deleting_plans_with_metrics_and_values_works(world):
    """Cascades delete metrics after their plan: forgetting the page must not trip on that."""
    school = world["school"]
    school.essa_plans.all().delete()
    school.blueprints.all().delete()
    Goal.objects.filter(school=school).delete()
    assert not Metric.objects.exists() and not Measurement.objects.exists()


WEEKDAYS = {
    "en": "Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday",
    "es": "lunes|martes|miércoles|jueves|viernes|sábado|domingo",
    "vi": "Thứ [2-7]|Chủ nhật",
    "ar": "الاثنين|الثلاثاء|الأربعاء|الخميس|الجمعة|السبت|الأحد",
}
LONG_DATES = {  # each shipped language's own order and words (Django's localized formats)
    "en": r"({en}), [A-Z][a-z]+\.? \d{{1,2}}, \d{{4}}",
    "es": r"({es}), \d{{1,2}} de [a-záéíóú]+ de \d{{4}}",
    "vi": r"({vi}), Ngày \d{{1,2}} tháng \d{{1,2}} năm \d{{4}}",
    "ar": r"({ar})، \d{{1,2}} [\u0600-\u06FF]+، \d{{4}}",
}


def test_every_shipped_language_has_its_long_date():
    assert set(LONG_DATES) == {code for code, _ in settings.LANGUAGES}


@pytest.mark.parametrize("language", [code for code, _ in settings.LANGUAGES])
def test_meeting_dates_follow_the_language_s_own_format(client, world, language):
    page = _page(client, world["school"], None if language == "en" else language).content.decode()
    pattern = LONG_DATES[language].format(**WEEKDAYS)
    assert re.search(pattern, page), f"no {language} long date in the page"
    if language == "es":
        assert not re.search(r"(lunes|martes|miércoles|jueves|viernes) \d", page)  # "lunes 14"


def test_upcoming_meetings_come_first(client, world):
    page = _page(client, world["school"]).content.decode()
    assert page.index('id="meetings"') < page.index('id="spf"') < page.index('id="goals"')


def test_the_calendar_file_is_in_the_page_s_language(client, world):
    page = _page(client, world["school"], "es").content.decode()
    link = re.search(r'href="(/families/[^"]+/es/meetings/\d+\.ics)"', page).group(1)
    response = client.get(link)
    assert response.status_code == 200 and response["Content-Language"] == "es"
    text = response.content.decode().replace("\r\n ", "")
    assert "Organiza:" in text and "Host:" not in text
    english = client.get(link.replace("/es/", "/")).content.decode().replace("\r\n ", "")
    assert "Host:" in english


def test_a_community_meeting_s_page_gives_its_families_page_addresses(client, world, settings):
    settings.SITE_URL = "https://schoolplan.example.org"
    school = world["school"]
    upcoming = Meeting.objects.get(
        school=school, meeting_type=MeetingType.CPM, status=MeetingStatus.PLANNED
    )
    cancelled = Meeting.objects.get(school=school, status=MeetingStatus.CANCELLED)
    client.force_login(world["principal"])
    page = client.get(upcoming.get_absolute_url()).content.decode()
    slug = school.public_slug
    assert "On the families' page" in page
    for path in (f"/families/{slug}/", f"/families/{slug}/es/"):
        assert f"https://schoolplan.example.org{path}#meeting-{upcoming.pk}" in page
    # A text for the school's messenger in each language, with that language's address.
    assert "invites families to: " in page and "invita a las familias a: " in page
    assert re.search(r"Cuándo: (lunes|martes|miércoles|jueves|viernes|sábado|domingo), ", page)
    assert (
        f"Detalles y calendario: https://schoolplan.example.org/families/{slug}/es/#meeting-"
        in page
    )
    # The address leads to the meeting on the families' page.
    family = _page(client, school).content.decode()
    assert f'id="meeting-{upcoming.pk}"' in family
    # A cancelled meeting says families no longer see it; a CAP meeting has no such section.
    page = client.get(cancelled.get_absolute_url()).content.decode()
    assert "Families no longer see this meeting" in page
    cap = Meeting.objects.get(school=school, meeting_type=MeetingType.CAP)
    cap_page = client.get(cap.get_absolute_url())
    assert cap_page.status_code == 200 and "On the families' page" not in cap_page.content.decode()


def test_a_printable_flyer_per_language(
    client, world, settings, eager_celery, django_capture_on_commit_callbacks
):
    from pypdf import PdfReader

    from schoolplan.models import PdfJob

    from ..pdf_helpers import assert_tagged

    settings.SITE_URL = "https://schoolplan.example.org"
    school = world["school"]
    upcoming = Meeting.objects.get(
        school=school, meeting_type=MeetingType.CPM, status=MeetingStatus.PLANNED
    )
    client.force_login(world["principal"])
    assert (
        "Printable flyer (Español, PDF)" in client.get(upcoming.get_absolute_url()).content.decode()
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("meeting_flyer", args=[upcoming.pk, "es"]))
    job = PdfJob.objects.get(kind="meeting-flyer")
    assert response.status_code == 302 and job.status == "done"
    pdf = client.get(reverse("pdf_job_download", args=[job.pk])).content
    assert_tagged(pdf, f"{school.name}: {upcoming.title}", language="es")
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    text = " ".join(text.split())
    assert "Están invitados" in text and "Cuándo" in text
    assert re.search(r"(lunes|martes|miércoles|jueves|viernes|sábado|domingo), \d", text)
    # The QR code's address, printed under it, leads to the meeting's answer form.
    assert f"/families/{school.public_slug}/es/meetings/{upcoming.pk}/reply/" in text.replace(
        " ", ""
    )
    assert "Cuidado de niños" in text
    # No flyer for a staff meeting, nor in a language the families' pages do not have.
    cap = Meeting.objects.get(school=school, meeting_type=MeetingType.CAP)
    assert client.post(reverse("meeting_flyer", args=[cap.pk, "es"])).status_code == 404
    assert client.post(reverse("meeting_flyer", args=[upcoming.pk, "fr"])).status_code == 404
    assert PdfJob.objects.count() == 1


def test_arabic_pages_are_right_to_left_with_the_mirrored_stylesheet(client, world):
    page = _page(client, world["school"], "ar").content.decode()
    assert '<html lang="ar" dir="rtl">' in page and "bootstrap.rtl.min.css" in page
    assert "أهلًا بالأسر" in page
    left_to_right = _page(client, world["school"], "vi").content.decode()
    assert '<html lang="vi" dir="ltr">' in left_to_right and "bootstrap.min.css" in left_to_right
    assert "Chào mừng các gia đình" in left_to_right


def test_our_stylesheet_uses_logical_properties_only():
    """Mirrored for right-to-left pages by the browser: no physical left or right."""
    css = (Path(settings.BASE_DIR) / "static" / "css" / "schoolplan.css").read_text()
    css = re.sub(r"/\*.*?\*/", "", css, flags=re.S)
    assert not re.search(
        r"(?<![\w-])(margin|padding|border)-(left|right)\b|(?<![\w-])(left|right)\s*:", css
    )
    assert not re.search(r"text-align:\s*(left|right)|float:\s*(left|right)", css)
