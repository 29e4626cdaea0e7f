"""The district's roster import page (issue 21): upload, preview, confirm, progress, the log;
bad files and bad forms; who may use it."""

import threading

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.urls import reverse

from schoolplan.models import Membership, OutboxEmail, Role, RosterImport, School, User
from schoolplan.roster_jobs import progress_key

from ..clock import on
from ..factories import DistrictFactory, member
from ..roster_files import ENROLLMENTS, as_zip, bundle_11

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def autumn(clock, school_year, eager_celery):
    clock.set(on(10, 1))


@pytest.fixture
def staff(client, district):
    user = member(Role.DISTRICT_STAFF, district)
    client.force_login(user)
    return user


def upload(client, district, capture, **files):
    files = files or {"bundle": SimpleUploadedFile("riverbend.zip", as_zip(bundle_11()))}
    with capture(execute=True):
        response = client.post(reverse("roster_imports", args=[district.pk]), files)
    return response


def test_upload_preview_confirm_and_the_log(
    client, district, staff, django_capture_on_commit_callbacks
):
    response = upload(client, district, django_capture_on_commit_callbacks)
    row = RosterImport.objects.get(district=district)
    assert response.status_code == 302 and response["Location"] == row.get_absolute_url()
    row.refresh_from_db()
    page = client.get(row.get_absolute_url()).content.decode()
    assert "What the import will change" in page and "Import these changes" in page
    assert "Valdez Elementary" in page and "ana.valdez@riverbend.example.org" in page
    assert not School.objects.filter(district=district).exists()  # a preview writes nothing
    assert not OutboxEmail.objects.exists()
    # The upload is not kept: the SIS export names pupils. What is kept names none.
    assert bytes(row.bundle) == b""
    assert "p1" not in str(row.roster) and "Jane" not in str(row.roster)
    assert set(row.roster["people"]) == {"u1", "u2", "u3"}

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("roster_import_confirm", args=[row.pk]))
    assert response.status_code == 302
    row.refresh_from_db()
    assert row.apply_status == "done" and row.confirmed_by == staff
    assert row.applied_counts["accounts"]["create"] == 3
    assert User.objects.filter(roster_district=district).count() == 3
    assert OutboxEmail.objects.filter(key__startswith="invitation:").count() == 3
    page = client.get(row.get_absolute_url()).content.decode()
    assert "What the import changed" in page and "Import these changes" not in page
    log = client.get(reverse("roster_imports", args=[district.pk])).content.decode()
    assert "riverbend.zip" in log and "Imported" in log

    # A second confirmation does nothing; the same file again has nothing to import.
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("roster_import_confirm", args=[row.pk]))
    assert User.objects.filter(roster_district=district).count() == 3
    upload(client, district, django_capture_on_commit_callbacks)
    again = RosterImport.objects.filter(district=district).first()
    assert "there is nothing to import" in client.get(again.get_absolute_url()).content.decode()


def test_a_broken_bundle_lists_every_problem_and_cannot_be_confirmed(
    client, district, staff, django_capture_on_commit_callbacks
):
    files = bundle_11(**{"enrollments.csv": ENROLLMENTS + "e5,,,c9,s1,u2,teacher,false,,\n"})
    upload(
        client,
        district,
        django_capture_on_commit_callbacks,
        bundle=SimpleUploadedFile("broken.zip", as_zip(files)),
    )
    row = RosterImport.objects.get(district=district)
    page = client.get(row.get_absolute_url()).content.decode()
    assert "1 problem: nothing will be written" in page
    assert (
        "<td>enrollments.csv</td><td>line 6 (row 5 of enrollments)</td><td>classSourcedId</td>"
        in page
    )
    row.refresh_from_db()
    assert bytes(row.bundle) == b"" and row.roster is None  # not kept, broken or not
    assert "Import these changes" not in page
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("roster_import_confirm", args=[row.pk]))
    assert not School.objects.filter(district=district).exists()


def test_the_plain_templates_upload_as_two_files(
    client, district, staff, django_capture_on_commit_callbacks
):
    upload(
        client,
        district,
        django_capture_on_commit_callbacks,
        schools_csv=SimpleUploadedFile("schools.csv", b"school_id,name\nA1,Oak Grove\n"),
        staff_csv=SimpleUploadedFile(
            "staff.csv",
            b"staff_id,email,given_name,family_name,school_id,role\n"
            b"T1,lee@oak.example.org,Lee,Park,A1,principal\n",
        ),
    )
    row = RosterImport.objects.get(district=district)
    assert row.source == "plain" and row.counts["memberships"]["create"] == 1


@pytest.mark.parametrize(
    ("files", "message"),
    [
        ({}, "Choose a OneRoster bundle (.zip), or schools.csv and staff.csv."),
        (
            {"schools_csv": SimpleUploadedFile("schools.csv", b"school_id,name\n")},
            "Upload schools.csv and staff.csv together.",
        ),
        ({"bundle": SimpleUploadedFile("roster.zip", b"not a zip")}, "This is not a .zip file."),
    ],
)
def test_a_bad_upload_is_refused_with_the_reason(client, district, staff, files, message):
    response = client.post(reverse("roster_imports", args=[district.pk]), files)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not RosterImport.objects.exists()


def test_a_file_over_the_limit_is_refused_by_its_size(client, district, staff, monkeypatch):
    monkeypatch.setattr("schoolplan.views_roster.MAX_UPLOAD_BYTES", 1000)
    big = SimpleUploadedFile("riverbend.zip", as_zip(bundle_11()) + b"x" * 1000)
    response = client.post(reverse("roster_imports", args=[district.pk]), {"bundle": big})
    assert "The file is larger than 1 MB." in response.content.decode()
    assert not RosterImport.objects.exists()


def test_a_preview_gone_stale_imports_nothing(
    client, district, staff, django_capture_on_commit_callbacks
):
    upload(client, district, django_capture_on_commit_callbacks)
    first = RosterImport.objects.get(district=district)
    # Meanwhile the same roster came in another way (the command, another upload).
    from schoolplan.roster import import_roster, read_roster

    import_roster(district, read_roster(bundle_11())[1], dry_run=False)
    before = Membership.all_objects.count()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("roster_import_confirm", args=[first.pk]))
    first.refresh_from_db()
    assert first.apply_status == "failed"
    assert "changed since the preview" in first.problems[0]["message"]
    assert Membership.all_objects.count() == before


def test_the_progress_bar_shows_the_import_running(client, district, staff):
    row = RosterImport.objects.create(
        district=district, filename="r.zip", status="done", apply_status="rendering"
    )
    cache.set(progress_key(row.pk), {"done": 300, "total": 1200, "step": "accounts"})
    page = client.get(row.get_absolute_url(), headers={"HX-Request": "true"}).content.decode()
    assert 'aria-valuenow="25"' in page and "Written: accounts." in page
    assert "hx-get" in page  # it keeps polling until done


@pytest.mark.parametrize("role", [Role.PRINCIPAL, Role.CIM_LEAD, "other district"])
def test_only_the_district_s_staff_reach_the_roster(client, district, school, role):
    row = RosterImport.objects.create(district=district, filename="r.zip", status="done")
    if role == "other district":
        user = member(Role.DISTRICT_STAFF, DistrictFactory())
    elif role == Role.PRINCIPAL:
        user = member(role, school)
    else:
        user = member(role, district)
    client.force_login(user)
    assert client.get(reverse("roster_imports", args=[district.pk])).status_code == 404
    assert client.get(row.get_absolute_url()).status_code == 404
    assert client.post(reverse("roster_import_confirm", args=[row.pk])).status_code == 404
    assert not RosterImport.objects.filter(apply_status="waiting").exists()


def test_the_log_page_needs_the_same_queries_for_many_imports(
    client, district, staff, django_assert_max_num_queries
):
    def make(n):
        RosterImport.objects.bulk_create(
            RosterImport(district=district, filename=f"r{i}.zip", uploaded_by=staff)
            for i in range(n)
        )

    make(2)
    with django_assert_max_num_queries(12) as few:
        client.get(reverse("roster_imports", args=[district.pk]))
    make(40)
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(reverse("roster_imports", args=[district.pk]))


@pytest.mark.django_db(transaction=True)
def test_two_imports_confirmed_at_once_on_postgresql_write_once(district, staff):
    """Two staff confirm two previews of the same roster at the same moment: the district's row
    lock puts one after the other; the second finds its preview stale and writes nothing."""
    if connection.vendor != "postgresql":
        pytest.skip("row locks need PostgreSQL; CI runs this on it")
    from schoolplan.roster_jobs import run_apply, run_preview

    rows = []
    for name in ("first.zip", "second.zip"):
        row = RosterImport.objects.create(
            district=district, filename=name, bundle=as_zip(bundle_11()), uploaded_by=staff
        )
        run_preview(row.pk)
        RosterImport.objects.filter(pk=row.pk).update(apply_status="waiting", confirmed_by=staff)
        rows.append(row)
    barrier = threading.Barrier(2)

    def confirm(pk):
        from django.db import connection as thread_connection

        try:
            barrier.wait()
            run_apply(pk)
        finally:
            thread_connection.close()

    threads = [threading.Thread(target=confirm, args=(row.pk,)) for row in rows]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    outcomes = sorted(RosterImport.objects.values_list("apply_status", flat=True))
    assert outcomes == ["done", "failed"]
    stale = RosterImport.objects.get(apply_status="failed")
    assert "changed since the preview" in stale.problems[0]["message"]
    assert User.objects.filter(roster_district=district).count() == 3
    assert Membership.objects.filter(school__district=district).count() == 4
    assert OutboxEmail.objects.filter(key__startswith="invitation:").count() == 3


def test_an_upload_that_is_no_zip_is_a_problem_not_a_failure(district, staff):
    from schoolplan.roster_jobs import run_preview

    row = RosterImport.objects.create(
        district=district, filename="roster.zip", bundle=b"junk", uploaded_by=staff
    )
    run_preview(row.pk)
    row.refresh_from_db()
    assert row.status == "done" and bytes(row.bundle) == b""
    assert row.problems[0]["file"] == "roster.zip"
    assert row.problems[0]["message"].startswith("not a .zip (")
