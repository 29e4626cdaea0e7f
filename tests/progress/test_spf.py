"""SPF results (DOMAIN: progress): the district's CSV import, the staff view beside last year,
and the family summary: drafted from the numbers, published by the principal, and counted for
the SPF sharing requirement only inside its window (seed 000)."""

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from meetings.cpm import cpm_year
from progress import spf
from progress.models import SpfResult, SpfSummary
from schoolplan import clock as app_clock
from schoolplan.models import Role

from ..clock import YEAR, on
from ..factories import SchoolFactory, SchoolYearFactory, member

pytestmark = pytest.mark.django_db

HEADER = "school,rating,overall,growth,achievement,gaps,engagement,postsecondary\n"


@pytest.fixture
def previous_year(district):
    return SchoolYearFactory(district=district, start_year=YEAR - 1)


@pytest.fixture
def lincoln(district):
    return SchoolFactory(district=district, name="Lincoln Middle", public_slug="lincoln")


def _import(client, district, year, content):
    url = reverse("spf_district", args=[district.pk])
    upload = SimpleUploadedFile("spf.csv", content)
    return client.post(url, {"school_year": year.pk, "file": upload})


def test_district_staff_import_a_districts_results(client, district, school, lincoln, school_year):
    client.force_login(member(Role.DISTRICT_STAFF, district))
    content = (
        HEADER
        + "Valdez Elementary,Meets expectations,63.5,67,57,61,83,\n"
        + "lincoln,priority_watch,44%,40,41,39,70,\n"
    ).encode()
    response = _import(client, district, school_year, content)
    assert response.status_code == 302
    valdez = SpfResult.objects.get(school=school)
    assert (valdez.rating, valdez.overall, valdez.postsecondary) == ("meets", Decimal("63.5"), None)
    assert SpfResult.objects.get(school=lincoln).rating == "priority_watch"
    # Importing again replaces the year's result; nothing is duplicated.
    _import(
        client,
        district,
        school_year,
        (HEADER + "Valdez Elementary,distinguished,81,80,80,80,90,\n").encode(),
    )
    assert SpfResult.objects.count() == 2
    assert SpfResult.objects.get(school=school).overall == Decimal("81")


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "The submitted file is empty."),
        (
            (HEADER + "Valdez Elementary,Meets expectations,6\u00e9,,,,,\n").encode("latin-1"),
            "not UTF-8",
        ),
        (
            b"school,rating,overall\nValdez Elementary,meets,60\n",
            "Line 1 of the file (the header): the columns must be",
        ),
        (HEADER.encode(), "no schools"),
        (
            (HEADER + "Nowhere High,meets,60,,,,,\n").encode(),
            "Line 2 of the file (row 1 of results), column school: "
            "\u201cNowhere High\u201d is not a school",
        ),
        (
            (HEADER + "Valdez Elementary,excellent,60,,,,,\n").encode(),
            "Line 2 of the file (row 1 of results), column rating",
        ),
        (
            (HEADER + "Valdez Elementary,meets,160,,,,,\n").encode(),
            "Line 2 of the file (row 1 of results), column overall: "
            "\u201c160\u201d is not a percent",
        ),
        (
            (HEADER + "Valdez Elementary,meets,,,,,,\n").encode(),
            "Line 2 of the file (row 1 of results), column overall: is required",
        ),
        (
            (HEADER + "Valdez Elementary,meets,60,lots,,,,\n").encode(),
            "Line 2 of the file (row 1 of results), column growth",
        ),
        (
            (
                HEADER + "Valdez Elementary,meets,60,,,,,\nvaldez elementary,meets,61,,,,,\n"
            ).encode(),
            "Line 3 of the file (row 2 of results), column school: Valdez Elementary is already on "
            "line 2 (row 1 of results)",
        ),
        (
            (HEADER + "Valdez Elementary,meets,60,,,,\n").encode(),
            "Line 2 of the file (row 1 of results): it has 7 values",
        ),
    ],
)
def test_a_bad_spf_file_imports_nothing(client, district, school, school_year, content, message):
    SpfResult.objects.create(school=school, school_year=school_year, rating="watch", overall=50)
    client.force_login(member(Role.DISTRICT_STAFF, district))
    response = _import(client, district, school_year, content)
    page = response.content.decode().replace("&quot;", '"').replace("&#x27;", "'")
    assert response.status_code == 200 and message in page
    result = SpfResult.objects.get()
    assert (result.rating, result.overall) == ("watch", Decimal("50"))  # untouched


def test_a_school_of_another_district_is_not_imported(client, district, school_year, other_school):
    client.force_login(member(Role.DISTRICT_STAFF, district))
    response = _import(
        client, district, school_year, (HEADER + f"{other_school.name},meets,60,,,,,\n").encode()
    )
    assert "is not a school of" in response.content.decode()
    assert not SpfResult.objects.exists()


@pytest.mark.parametrize("role", [Role.PRINCIPAL, Role.CIM_LEAD])
def test_only_district_staff_import(client, district, school, school_year, role):
    scope = school if role == Role.PRINCIPAL else district
    client.force_login(member(role, scope))
    response = _import(
        client, district, school_year, (HEADER + "Valdez Elementary,meets,60,,,,,\n").encode()
    )
    assert response.status_code in (403, 404)
    assert not SpfResult.objects.exists()


def test_another_districts_staff_cannot_see_or_import(client, district, school_year, other_school):
    client.force_login(member(Role.DISTRICT_STAFF, other_school.district))
    assert client.get(reverse("spf_district", args=[district.pk])).status_code == 404


def test_the_district_table_does_not_query_per_school(
    client, district, school_year, previous_year, django_assert_max_num_queries
):
    for n in range(25):
        school = SchoolFactory(district=district)
        SpfResult.objects.create(
            school=school, school_year=school_year, rating="meets", overall=60 + n % 5
        )
        SpfResult.objects.create(
            school=school, school_year=previous_year, rating="watch", overall=55
        )
    client.force_login(member(Role.DISTRICT_STAFF, district))
    with django_assert_max_num_queries(15):
        page = client.get(reverse("spf_district", args=[district.pk])).content.decode()
    assert (
        page.count("+5.0")
        + page.count("+6.0")
        + page.count("+7.0")
        + page.count("+8.0")
        + page.count("+9.0")
        == 25
    )


@pytest.fixture
def results(school, school_year, previous_year):
    now = SpfResult.objects.create(
        school=school,
        school_year=school_year,
        rating="meets",
        overall=Decimal("63.5"),
        growth=Decimal("67"),
        achievement=Decimal("57"),
    )
    before = SpfResult.objects.create(
        school=school, school_year=previous_year, rating="watch", overall=Decimal("58")
    )
    return now, before


def test_staff_see_this_year_beside_last(client, school, results):
    client.force_login(member(Role.SCHOOL_STAFF, school))
    page = client.get(reverse("spf_school", args=[school.pk]) + f"?year={YEAR}").content.decode()
    assert "63.5" in page and "58.0" in page and "+5.5" in page
    assert "The principal writes and publishes the summary." in page  # staff read, not write


def test_the_draft_fills_in_the_numbers_in_english_and_spanish(school, school_year, results):
    now, before = results
    english = spf.draft_text(school, school_year, now, before, "en")
    spanish = spf.draft_text(school, school_year, now, before, "es")
    assert '"Meets expectations": the school earned 63.5% of the points' in english
    assert 'Last year the rating was "Accredited on watch", with 58% of the points.' in english
    assert "- Student growth: 67%" in english
    assert '"Cumple las expectativas": la escuela obtuvo el 63,5% de los puntos' in spanish
    assert "- Crecimiento de los estudiantes: 67%" in spanish


def _publish_on(client, clock, school, day, texts):
    """The principal publishes at noon of day."""
    clock.set(day)
    client.force_login(member(Role.PRINCIPAL, school))
    return client.post(
        reverse("spf_school", args=[school.pk]) + f"?year={YEAR}",
        {"action": "publish", **{f"text-{code}": text for code, text in texts.items()}},
    )


@pytest.mark.calendar
@pytest.mark.parametrize(
    ("day", "met"),
    [(on(10, 19), False), (on(10, 20), True), (on(11, 10), True), (on(11, 11), False)],
)
def test_publishing_marks_spf_shared_only_inside_the_window(
    client, clock, school, school_year, day, met
):
    _publish_on(client, clock, school, day, {"en": "Our results", "es": "Nuestros resultados"})
    summary = SpfSummary.objects.get()
    assert summary.is_published and summary.texts == {
        "en": "Our results",
        "es": "Nuestros resultados",
    }
    spf_requirement = next(
        r for r in cpm_year(school, school_year, on(11, 30)).requirements if r.key == "spf"
    )
    assert (spf_requirement.state == "met") is met
    if not met:
        assert "outside the window, so it does not count" in spf_requirement.message


@pytest.mark.calendar
def test_republishing_an_edit_keeps_the_first_publication_date(client, clock, school, school_year):
    _publish_on(client, clock, school, on(10, 25), {"en": "First"})
    _publish_on(client, clock, school, on(11, 20), {"en": "Corrected"})
    summary = SpfSummary.objects.get()
    assert summary.texts == {"en": "Corrected"}
    assert app_clock.local_date(summary.published_at, school) == on(10, 25)


@pytest.mark.calendar
def test_an_empty_summary_is_not_published(client, clock, school, school_year):
    response = _publish_on(client, clock, school, on(10, 25), {"en": "   "})
    assert response.status_code == 200  # the page again, with the reason (issue 18)
    assert not SpfSummary.objects.filter(published_at__isnull=False).exists()


@pytest.mark.parametrize("role", [Role.SCHOOL_STAFF, Role.DISTRICT_STAFF])
def test_only_the_principal_publishes(client, school, school_year, role):
    client.force_login(member(role, school if role == Role.SCHOOL_STAFF else school.district))
    response = client.post(
        reverse("spf_school", args=[school.pk]), {"action": "publish", "text-en": "x"}
    )
    assert response.status_code == 403
    assert not SpfSummary.objects.exists()


def test_another_schools_principal_cannot_reach_the_summary(
    client, school, school_year, other_school
):
    client.force_login(member(Role.PRINCIPAL, other_school))
    url = reverse("spf_school", args=[school.pk])
    assert client.get(url).status_code == 404
    assert client.post(url, {"action": "publish", "text-en": "x"}).status_code == 404
    assert not SpfSummary.objects.exists()


def test_the_summary_falls_back_to_english(school, school_year):
    summary = SpfSummary.objects.create(school=school, school_year=school_year, texts={"en": "Hi"})
    assert summary.text_in("es") == ("en", "Hi")
    summary.texts = {"es": "Hola"}
    assert summary.text_in("es") == ("es", "Hola") and summary.text_in("en") == ("es", "Hola")


def test_an_unpublished_summary_leaves_the_requirement_due(school, school_year):
    SpfSummary.objects.create(school=school, school_year=school_year, texts={"en": "Draft"})
    spf_requirement = next(
        r for r in cpm_year(school, school_year, on(11, 1)).requirements if r.key == "spf"
    )
    assert spf_requirement.state == "due"
