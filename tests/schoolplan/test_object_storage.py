"""Uploads in S3-compatible object storage (issue 24), against a real S3 API on loopback: moto's
standalone server, started here. The app is configured by the environment alone (S3_*), as
production's settings read it; a page's upload lands as a private object, a download passes the
permission check before it gets a presigned URL of a minute, and a replaced, cleared or deleted
file takes its object with it."""

import base64
import itertools
import json
import subprocess
import sys
import tempfile
import urllib.error
import urllib.request
from datetime import UTC
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from meetings.models import CapMeeting, WorkshopRegistration
from progress import report_drafts
from progress.models import ProgressReport
from progress.reports import render as report_render
from progress.reports import workflow as report_workflow
from schoolplan.models import CimStatus, OutboxEmail, Role

from ..cap_helpers import make_class, make_point, schedule_cap
from ..cim_helpers import submittable_report
from ..clock import moment, on
from ..conftest import IN_CI
from ..factories import (
    DistrictFactory,
    SchoolFactory,
    SchoolYearFactory,
    member,
    set_cim_status,
)
from ..sami_helpers import register_without_prework, series_with_session
from ..service_helpers import (
    ROOT,
    app_env,
    free_port,
    object_storage_client,
    start_object_storage,
    wait_for,
)

pytestmark = [pytest.mark.django_db, pytest.mark.services]
SCORES = b"pupil,score\nJD,12\n"


def _moto_missing():
    try:
        import flask  # noqa: F401 (moto[server] brings it)
        import moto.server  # noqa: F401
    except ImportError:
        return True
    return False


@pytest.fixture(scope="module")
def object_storage():
    """moto's S3 server on a free port, and the environment that points the app at it."""
    if _moto_missing():
        message = "needs moto's S3 server (moto[server], the test extra: make env installs it)"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    folder = Path(tempfile.mkdtemp(prefix="object-storage-test-"))
    port = free_port()
    process, env = start_object_storage(port, folder / "moto.log")
    try:
        wait_for(port, process, "moto", folder / "moto.log")
        yield env
    finally:
        process.terminate()
        process.wait(timeout=20)


def _storages_read_from(env):
    """STORAGES as production's settings read them from env, in a process of their own."""
    show = "from django.conf import settings; import json; print(json.dumps(settings.STORAGES))"
    environment = {
        **app_env("sqlite://", DJANGO_SETTINGS_MODULE="schoolplan.settings_production"),
        **env,
    }
    result = subprocess.run(
        [sys.executable, "-c", show],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    return json.loads(result.stdout)


@pytest.fixture(scope="module")
def configured(object_storage):
    return _storages_read_from(object_storage)["default"]


_buckets = itertools.count(1)


@pytest.fixture
def bucket(object_storage, configured, settings):
    """A fresh private bucket per test, and the app's uploads going to it."""
    name = f"schoolplan-uploads-{next(_buckets)}"
    s3 = object_storage_client(object_storage)
    s3.create_bucket(Bucket=name)
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {**configured, "OPTIONS": {**configured["OPTIONS"], "bucket_name": name}},
    }

    def keys():
        listing = s3.list_objects_v2(Bucket=name)
        return sorted(item["Key"] for item in listing.get("Contents", []))

    def body(key):
        return s3.get_object(Bucket=name, Key=key)["Body"].read()

    return {"name": name, "s3": s3, "keys": keys, "body": body, "env": object_storage}


def fetch(url):
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.read(), response.headers
    except urllib.error.HTTPError as error:
        return error.code, error.read(), error.headers


# --- Configuration: the environment alone -----------------------------------------------------


def test_production_reads_the_bucket_and_a_minutes_urls_from_the_environment(object_storage):
    storages = _storages_read_from(object_storage)
    default = storages["default"]
    assert default["BACKEND"] == "storages.backends.s3.S3Storage"
    options = default["OPTIONS"]
    assert options["bucket_name"] == object_storage["S3_BUCKET"]
    assert options["endpoint_url"] == object_storage["S3_ENDPOINT_URL"]
    assert options["access_key"] == object_storage["S3_ACCESS_KEY_ID"]
    assert options["querystring_auth"] is True and options["querystring_expire"] <= 60
    assert options["file_overwrite"] is False
    # Production's hashed static files stay as they were.
    assert storages["staticfiles"]["BACKEND"].startswith("whitenoise.")


def test_without_a_bucket_uploads_stay_on_the_local_disk():
    default = _storages_read_from({"S3_BUCKET": ""})["default"]
    assert default["BACKEND"] == "django.core.files.storage.FileSystemStorage"


# --- CAP assessment data --------------------------------------------------------------------


@pytest.fixture
def cap_meeting(school, school_year, clock):
    clock.set(on(10, 1))
    teacher = member(Role.SCHOOL_STAFF, school)
    school_class = make_class(school, school_year, teacher)
    meeting = schedule_cap(school_class, make_point(school, school_year), teacher)
    return meeting, teacher


def _attach(client, meeting, name, content=SCORES, **extra):
    url = reverse("analysis_edit", args=[meeting.pk])
    form = {"strengths": "Readers", "areas_of_focus": "Fractions", **extra}
    if name:
        form["assessment_file"] = SimpleUploadedFile(name, content)
    response = client.post(url, form)
    assert response.status_code == 302, response.content.decode()[:2000]


def test_an_upload_through_the_page_lands_as_a_private_object(client, bucket, cap_meeting):
    meeting, teacher = cap_meeting
    client.force_login(teacher)
    _attach(client, meeting, "scores.csv")
    key = f"cap/{meeting.school_id}/{meeting.pk}/scores.csv"
    assert bucket["keys"]() == [key]
    assert bucket["body"](key) == SCORES
    # Private: the object's address alone, unsigned, is refused.
    status, _, _ = fetch(f"{bucket['env']['S3_ENDPOINT_URL']}/{bucket['name']}/{key}")
    assert status == 403
    grants = bucket["s3"].get_object_acl(Bucket=bucket["name"], Key=key)["Grants"]
    assert all("URI" not in grant["Grantee"] for grant in grants)  # no AllUsers, no anyone
    # The meeting page still previews the CSV, read back from the bucket.
    page = client.get(meeting.get_absolute_url()).content.decode()
    assert "JD" in page


def test_a_download_redirects_to_a_presigned_url_of_a_minute(client, bucket, cap_meeting, clock):
    meeting, teacher = cap_meeting
    client.force_login(teacher)
    _attach(client, meeting, "scores.csv")
    signed_at = clock.set(moment(on(10, 1), "12:05"))  # still signed in
    response = client.get(reverse("analysis_file", args=[meeting.pk]))
    assert response.status_code == 302
    assert "no-store" in response["Cache-Control"]
    location = response["Location"]
    assert location.startswith(f"{bucket['env']['S3_ENDPOINT_URL']}/{bucket['name']}/cap/")
    query = parse_qs(urlsplit(location).query)
    # Expires a minute after it was signed (moto serves it; it does not enforce the expiry, which
    # S3 does from these two signed parameters).
    assert query["X-Amz-Expires"] == ["60"]
    assert query["X-Amz-Date"] == [signed_at.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")]
    assert "X-Amz-Signature" in query
    status, body, headers = fetch(location)
    assert status == 200 and body == SCORES
    assert headers["Content-Disposition"] == 'attachment; filename="scores.csv"'


@pytest.mark.parametrize("where", ["same district", "another district"])
def test_another_schools_principal_gets_404_and_no_url(client, bucket, cap_meeting, where):
    meeting, teacher = cap_meeting
    client.force_login(teacher)
    _attach(client, meeting, "scores.csv")
    district = meeting.school.district if where == "same district" else DistrictFactory()
    client.force_login(member(Role.PRINCIPAL, SchoolFactory(district=district)))
    response = client.get(reverse("analysis_file", args=[meeting.pk]))
    assert response.status_code == 404
    assert "Location" not in response
    assert b"X-Amz" not in response.content and bucket["name"].encode() not in response.content


def test_replacing_clearing_and_deleting_remove_the_object(
    client, bucket, cap_meeting, django_capture_on_commit_callbacks
):
    meeting, teacher = cap_meeting
    client.force_login(teacher)
    prefix = f"cap/{meeting.school_id}/{meeting.pk}/"
    with django_capture_on_commit_callbacks(execute=True):
        _attach(client, meeting, "first.csv")
    assert bucket["keys"]() == [prefix + "first.csv"]
    with django_capture_on_commit_callbacks(execute=True):
        _attach(client, meeting, "second.csv", b"pupil,score\nAB,14\n")
    assert bucket["keys"]() == [prefix + "second.csv"]
    with django_capture_on_commit_callbacks(execute=True):
        _attach(client, meeting, None, clear_file="on")
    assert bucket["keys"]() == []
    with django_capture_on_commit_callbacks(execute=True):
        _attach(client, meeting, "third.csv")
        meeting.delete()  # its CAP record goes with it, and so does the file
    assert not CapMeeting.objects.filter(pk=meeting.pk).exists()
    assert bucket["keys"]() == []


def test_storage_out_of_reach_after_the_commit_keeps_the_saved_change(
    client, bucket, cap_meeting, monkeypatch, caplog, django_capture_on_commit_callbacks
):
    """The old object's removal runs after the commit; if the storage fails then, the change
    stands and the page says it is saved (the failure is logged), rather than an error page."""
    from botocore.exceptions import EndpointConnectionError
    from storages.backends.s3 import S3Storage

    meeting, teacher = cap_meeting
    client.force_login(teacher)
    _attach(client, meeting, "first.csv")

    def unreachable(storage, name):
        raise EndpointConnectionError(endpoint_url=bucket["env"]["S3_ENDPOINT_URL"])

    monkeypatch.setattr(S3Storage, "delete", unreachable)
    with django_capture_on_commit_callbacks(execute=True):
        _attach(client, meeting, "second.csv")
    assert CapMeeting.objects.get(pk=meeting.pk).assessment_file.name.endswith("second.csv")
    assert "on_commit" in caplog.text


def test_the_same_file_name_again_never_overwrites_the_stored_one(bucket, cap_meeting):
    """Object storage overwrites by default; two uploads of one name must stay two files, as on
    disk (the first may still be another record's)."""
    from django.core.files.base import ContentFile

    meeting, _teacher = cap_meeting
    record = meeting.cap
    storage = record.assessment_file.storage
    first = storage.save(f"cap/{meeting.school_id}/{meeting.pk}/scores.csv", ContentFile(b"a"))
    second = storage.save(f"cap/{meeting.school_id}/{meeting.pk}/scores.csv", ContentFile(b"b"))
    assert first != second
    assert bucket["body"](first) == b"a" and bucket["body"](second) == b"b"


# --- Workshop pre-work ------------------------------------------------------------------------


@pytest.fixture
def workshop(clock):
    clock.set(moment(on(3, 1), "10:00"))
    district = DistrictFactory(name="Des Moines", time_zone="America/Chicago")
    year = SchoolYearFactory(district=district, start_year=on(9, 1).year)
    series = series_with_session(district, year, member(Role.DISTRICT_STAFF, district))
    return district, series


def _give_prework(client, series, school, content):
    principal = member(Role.PRINCIPAL, school)
    registration = register_without_prework(series, school, principal)
    client.force_login(principal)
    upload = SimpleUploadedFile("sami-actions.txt", content)
    response = client.post(
        reverse("workshop_prework", args=[registration.pk]),
        {"prework_file": upload, "expected_version": 1},
    )
    assert response.status_code == 302
    return WorkshopRegistration.objects.get(pk=registration.pk)


def test_prework_of_two_schools_are_two_objects_each_served_to_its_own(client, bucket, workshop):
    district, series = workshop
    hubbell = _give_prework(client, series, SchoolFactory(district=district), b"Hubbell's\n")
    moore = _give_prework(client, series, SchoolFactory(district=district), b"Moore's\n")
    assert hubbell.prework_file.name != moore.prework_file.name
    assert len(bucket["keys"]()) == 2
    # Moore's principal (signed in last) gets Moore's file, and Hubbell's is a 404.
    own = client.get(reverse("workshop_prework_file", args=[moore.pk]))
    assert own.status_code == 302 and fetch(own["Location"])[1] == b"Moore's\n"
    foreign = client.get(reverse("workshop_prework_file", args=[hubbell.pk]))
    assert foreign.status_code == 404 and "Location" not in foreign
    # The district's workshop organisers see every registration's pre-work.
    client.force_login(member(Role.DISTRICT_STAFF, district))
    theirs = client.get(reverse("workshop_prework_file", args=[hubbell.pk]))
    assert theirs.status_code == 302 and fetch(theirs["Location"])[1] == b"Hubbell's\n"


def test_a_new_prework_file_replaces_the_object(
    client, bucket, workshop, django_capture_on_commit_callbacks
):
    district, series = workshop
    school = SchoolFactory(district=district)
    with django_capture_on_commit_callbacks(execute=True):
        registration = _give_prework(client, series, school, b"First\n")
    first = registration.prework_file.name
    assert bucket["keys"]() == [first]
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("workshop_prework", args=[registration.pk]),
            {
                "prework_file": SimpleUploadedFile("sami-actions.txt", b"Second\n"),
                "expected_version": registration.prework_version,
            },
        )
    assert response.status_code == 302
    registration.refresh_from_db()
    assert bucket["keys"]() == [registration.prework_file.name] != [first]
    assert bucket["body"](registration.prework_file.name) == b"Second\n"


# --- The SELPA's own form (Targeted 2 progress reports) -----------------------------------------

SELPA_FORM = b"%PDF-1.4 the SELPA's progress form"


@pytest.fixture
def targeted_2_report(district, school_year, clock):
    set_cim_status(district, CimStatus.TARGETED_2)
    report, lead = submittable_report(district, school_year, clock)
    clock.set(on(1, 10))  # Targeted 2 reports by half-year: after Half 1
    return report, lead


def _attach_selpa_form(report, lead, data):
    report_drafts.save_draft(
        report,
        user=lead,
        posted={},
        bases={},
        edit_version=report.edit_version,
        strategy_ids=[],
        selpa_form=("SELPA progress form.pdf", "application/pdf", data),
    )
    return report_workflow.sign_off(ProgressReport.objects.get(pk=report.pk), user=lead)


def test_the_selpa_form_is_a_private_object_sent_from_the_bucket(
    client, bucket, targeted_2_report, eager_celery, django_capture_on_commit_callbacks
):
    report, lead = targeted_2_report
    with django_capture_on_commit_callbacks(execute=True):
        report = _attach_selpa_form(report, lead, SELPA_FORM)
    (key,) = bucket["keys"]()
    assert key.startswith(f"selpa-forms/{report.due.district_id}/SELPA_progress_form")
    assert bucket["body"](key) == SELPA_FORM
    # Downloaded under its own name through a presigned URL, after the permission check.
    client.force_login(lead)
    response = client.get(reverse("report_selpa_form", args=[report.pk]))
    assert response.status_code == 302
    status, body, headers = fetch(response["Location"])
    assert status == 200 and body == SELPA_FORM
    assert headers["Content-Disposition"] == 'attachment; filename="SELPA progress form.pdf"'
    other = DistrictFactory()
    client.force_login(member(Role.CIM_LEAD, other))
    response = client.get(reverse("report_selpa_form", args=[report.pk]))
    assert response.status_code == 404 and "Location" not in response
    # Submitted: the e-mail to the SELPA carries the bytes read back from the bucket.
    job = report_render.request_render(report, user=lead, submit=True)
    report_render.run_job(job.pk)
    report.refresh_from_db()
    assert report.is_submitted
    email = OutboxEmail.objects.get(key=f"progress-report:{report.pk}")
    assert email.attachment_name == "SELPA progress form.pdf"
    assert base64.b64decode(email.attachment_content) == SELPA_FORM
    # A correction gets its own object; replacing it there keeps the submitted one.
    with django_capture_on_commit_callbacks(execute=True):
        correction = report_workflow.start_report(report.due, user=lead)
    assert len(bucket["keys"]()) == 2
    with django_capture_on_commit_callbacks(execute=True):
        correction = _attach_selpa_form(correction, lead, SELPA_FORM + b" v2")
    keys = bucket["keys"]()
    assert key in keys and correction.selpa_form.name in keys and len(keys) == 2
    assert bucket["body"](correction.selpa_form.name) == SELPA_FORM + b" v2"
