"""District staff roll out a district (issue 21): upload the SIS's OneRoster bundle, read the
preview, confirm, watch it import; a broken bundle shows every problem and writes nothing."""

import re

import pytest
from playwright.sync_api import expect

from schoolplan.models import Role, RosterImport, User

from ..clock import on
from ..factories import SchoolYearFactory, UserFactory, member
from ..roster_files import ENROLLMENTS, as_zip, bundle_11
from .conftest import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "roster-rollout-21"


@pytest.fixture
def staff(district, eager_celery):
    SchoolYearFactory(district=district)
    user = UserFactory(username="dana", first_name="Dana", last_name="Reyes")
    user.set_password(PASSWORD)
    user.save()
    return member(Role.DISTRICT_STAFF, district, user=user)


def test_upload_preview_confirm(page, staff, district, clock, screenshot, tmp_path):
    clock.set(on(10, 1))
    bundle = tmp_path / "riverbend-oneroster.zip"
    bundle.write_bytes(as_zip(bundle_11()))
    log_in(page, "dana", PASSWORD)
    page.goto(district.get_absolute_url())
    page.get_by_role("link", name="Roster import").click()
    expect(page.get_by_role("heading", name="Roster import", exact=True)).to_be_visible()
    expect(page.get_by_text("No roster has been imported")).to_be_visible()
    page.get_by_label("OneRoster bundle (.zip)").set_input_files(str(bundle))
    page.get_by_role("button", name="Check the files").click()

    expect(page.get_by_role("heading", name="What the import will change")).to_be_visible()
    summary = page.get_by_role("region", name="What the import will change")
    expect(summary.get_by_role("row", name="Accounts 3 0 0 0")).to_be_visible()
    expect(page.get_by_role("cell", name="Valdez Elementary").first).to_be_visible()
    screenshot(page, "95-roster-import-preview")
    assert not User.objects.filter(roster_district=district).exists()

    page.get_by_role("button", name="Import these changes").click()
    expect(page.get_by_text("New staff have been sent their invitation")).to_be_visible()
    expect(page.get_by_role("heading", name="What the import changed")).to_be_visible()
    assert User.objects.filter(roster_district=district).count() == 3
    page.get_by_role("link", name="Roster import").click()
    log = page.get_by_role("region", name="Import log")
    expect(log.get_by_text("Imported")).to_be_visible()
    screenshot(page, "96-roster-import-log")


def test_a_broken_bundle_shows_every_problem(page, staff, district, clock, screenshot, tmp_path):
    clock.set(on(10, 1))
    broken = ENROLLMENTS + "e5,,,c9,s1,u2,teacher,false,,\ne6,,,c1,s1,u9,teacher,false,,\n"
    bundle = tmp_path / "broken.zip"
    bundle.write_bytes(as_zip(bundle_11(**{"enrollments.csv": broken})))
    log_in(page, "dana", PASSWORD)
    page.goto(f"/districts/{district.pk}/roster/")
    page.get_by_label("OneRoster bundle (.zip)").set_input_files(str(bundle))
    page.get_by_role("button", name="Check the files").click()
    expect(page.get_by_role("heading", name="2 problems: nothing will be written")).to_be_visible()
    # Each problem's place: its file, its line and its row among the data (schoolplan.csvfiles).
    for line, column in ((6, "classSourcedId"), (7, "userSourcedId")):
        place = re.compile(rf"enrollments\.csv .*line {line} \(row {line - 1} .*{column}")
        expect(page.get_by_role("row", name=place)).to_be_visible()
    expect(page.get_by_role("button", name="Import these changes")).to_have_count(0)
    screenshot(page, "97-roster-import-problems")
    assert RosterImport.objects.get().problems
