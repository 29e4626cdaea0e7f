"""issue 24, item 2: several web nodes. Two gunicorn nodes (production settings), each with its
own empty local folders (MEDIA_ROOT, e-mail files, TMPDIR), behind Debian's nginx round-robin
on loopback, both on the same PostgreSQL and Redis. nginx names the node that answered
(X-Upstream), and each step below is checked to have crossed from one node to the other:

- the sign-in form comes from one node and is posted to the other (CSRF), the second step's
  code likewise (sessions and two-factor state are in PostgreSQL);
- an SPF summary published through A is on the families' page served by B at once: the page
  is cached in Redis, and forgetting it there is forgetting it for every node;
- wrong passwords spread over both nodes lock the account out on both (axes counts in
  PostgreSQL);
- a file uploaded through A is downloaded through B: uploads go to object storage (moto's S3
  server on loopback), and B redirects to a presigned URL of the object A stored;
- nothing was written to either node's local folders.
"""

import re
import secrets
import urllib.request
from urllib.parse import urlencode

import pytest
from django_otp.oath import TOTP

from ..service_helpers import APP_PASSWORD as PASSWORD
from ..service_helpers import (
    ROOT,
    Browser,
    app_env,
    free_port,
    fresh_database,
    needs,
    needs_nginx,
    object_storage_client,
    prepare_app,
    start_gunicorn,
    start_nginx,
    start_object_storage,
    wait_for,
)

pytestmark = pytest.mark.services

# Run in the nodes' database (the app's own clock names the school year): a school with its
# year, its principal "pat" with an authenticator app, and what the test needs to know.
SETUP = f"""
from django_otp.plugins.otp_totp.models import TOTPDevice
from schoolplan import clock
from schoolplan.models import Role
from tests.cap_helpers import make_class, make_point, schedule_cap
from tests.factories import SchoolFactory, SchoolYearFactory, member
today = clock.today()
school = SchoolFactory(name="Valdez Elementary")
year = SchoolYearFactory(district=school.district, start_year=today.year - (today.month < 7))
pat = member(Role.PRINCIPAL, school)
pat.username = "pat"
pat.set_password({PASSWORD!r})
pat.save()
device = TOTPDevice.objects.create(user=pat, name="Authenticator app", confirmed=True)
# A CAP meeting of pat's class, whose analysis takes an assessment file (an upload).
point = make_point(school, year, day=today)
cap = schedule_cap(make_class(school, year, pat), point, pat, day=today, confirmed=True)
print("SETUP", school.pk, school.public_slug, device.key, cap.pk)
"""


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    import os
    import subprocess
    import sys

    url, redis_url = os.environ.get("DATABASE_URL", ""), os.environ.get("REDIS_URL", "")
    needs(
        url.startswith(("postgres://", "postgresql://")) and redis_url,
        "needs PostgreSQL (DATABASE_URL) and Redis (REDIS_URL)",
    )
    needs_nginx()
    folder = tmp_path_factory.mktemp("nodes")
    folder.chmod(0o755)
    database, drop = fresh_database(url, "nodes")
    # Uploads in object storage, shared by the nodes (issue 24, item 1).
    storage_port = free_port()
    storage, storage_env = start_object_storage(storage_port, folder / "moto.log")
    wait_for(storage_port, storage, "moto", folder / "moto.log")
    object_storage_client(storage_env).create_bucket(Bucket=storage_env["S3_BUCKET"])
    # One SECRET_KEY for both nodes (signed cookies and CSRF tokens cross them), one database,
    # one Redis; the second sign-in step on, as in production.
    env = app_env(
        database,
        TRUSTED_PROXY_COUNT="1",
        TWO_FACTOR_REQUIRED="1",
        REDIS_URL=redis_url,
        ALLOWED_HOSTS="127.0.0.1",
        **storage_env,
    )
    prepare_app(env)
    done = subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), "shell", "-c", SETUP],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
        timeout=120,
    )
    school_pk, slug, key, cap_pk = done.stdout.split("SETUP", 1)[1].split()
    nodes, processes = {}, [storage]
    try:
        for name in ("a", "b"):
            local = folder / name
            for sub in ("media", "mail", "tmp"):
                (local / sub).mkdir(parents=True)
            port = free_port()
            node_env = {
                **env,
                "MEDIA_ROOT": str(local / "media"),
                "EMAIL_FILE_PATH": str(local / "mail"),
                "TMPDIR": str(local / "tmp"),
            }
            log = folder / f"gunicorn-{name}.log"
            processes.append(start_gunicorn(node_env, port, log))
            wait_for(port, processes[-1], f"gunicorn {name}", log)
            nodes[name] = {"port": port, "local": local, "log": log}
        proxy, port = start_nginx(folder, [node["port"] for node in nodes.values()])
        processes.append(proxy)
        yield {
            "port": port,
            "nodes": nodes,
            "school_pk": int(school_pk),
            "slug": slug,
            "key": key,
            "cap_pk": int(cap_pk),
            "redis_url": redis_url,
            "storage": storage_env,
        }
    finally:
        for process in reversed(processes):
            process.terminate()
            process.wait(timeout=20)
        drop()


class NodeBrowser(Browser):
    """A browser through nginx that can ask for the node its next request should reach: nginx
    alternates between the two, so a /health/ probe answered by the other node comes first."""

    def __init__(self, site):
        super().__init__(site["port"])
        self.addresses = {name: f"127.0.0.1:{n['port']}" for name, n in site["nodes"].items()}

    def on(self, node, method, path, body=None, headers=None):
        for _ in range(4):
            probe, _ = self.request("GET", "/health/")
            if probe.headers["X-Upstream"] != self.addresses[node]:
                break
        response, page = self.request(method, path, body=body, headers=headers)
        assert response.headers["X-Upstream"] == self.addresses[node], "not the node asked for"
        return response, page


def _token(page):
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)


def _code(hex_key):
    return f"{TOTP(bytes.fromhex(hex_key)).token():06d}"


def _multipart(fields, file_field, file_name, content):
    """A multipart/form-data body (fields, and one file) and its Content-Type."""
    boundary = f"schoolplan-{secrets.token_hex(8)}"
    lines = []
    for name, value in fields.items():
        lines += [f"--{boundary}", f'Content-Disposition: form-data; name="{name}"', "", value]
    lines += [
        f"--{boundary}",
        f'Content-Disposition: form-data; name="{file_field}"; filename="{file_name}"',
        "Content-Type: text/csv",
        "",
    ]
    body = "\r\n".join(lines).encode() + b"\r\n" + content + f"\r\n--{boundary}--\r\n".encode()
    return body, f"multipart/form-data; boundary={boundary}"


def _upload_through_a_download_through_b(site, pat):
    from django.urls import reverse

    edit = reverse("analysis_edit", args=[site["cap_pk"]])
    _, page = pat.on("b", "GET", edit)
    fields = {
        "csrfmiddlewaretoken": _token(page),
        "strengths": "Readers",
        "areas_of_focus": "Fractions",
    }
    scores = b"pupil,score\nJD,14\nAK,9\n"
    body, content_type = _multipart(fields, "assessment_file", "scores.csv", scores)
    response, _ = pat.on("a", "POST", edit, body=body, headers={"Content-Type": content_type})
    assert response.status == 302, "uploaded through A"
    s3 = object_storage_client(site["storage"])
    keys = [o["Key"] for o in s3.list_objects_v2(Bucket=site["storage"]["S3_BUCKET"])["Contents"]]
    assert keys == [f"cap/{site['school_pk']}/{site['cap_pk']}/scores.csv"]
    response, _ = pat.on("b", "GET", reverse("analysis_file", args=[site["cap_pk"]]))
    assert response.status == 302, "B answers with the object's presigned URL"
    location = response.headers["Location"]
    assert location.startswith(site["storage"]["S3_ENDPOINT_URL"]) and "X-Amz-Signature" in location
    with urllib.request.urlopen(location, timeout=10) as download:
        assert download.read() == scores


def test_sign_in_two_factor_a_publication_and_an_upload_cross_the_nodes(site):
    import redis

    pat = NodeBrowser(site)
    # The password: the form from A, posted to B.
    _, page = pat.on("a", "GET", "/accounts/login/")
    form = {"csrfmiddlewaretoken": _token(page), "username": "pat", "password": PASSWORD}
    response, _ = pat.on("b", "POST", "/accounts/login/", body=urlencode(form))
    assert response.status == 302
    # The second step: asked for on A, answered on B.
    response, page = pat.on("a", "GET", "/account/two-factor/verify/")
    assert response.status == 200 and 'autocomplete="one-time-code"' in page
    form = {"csrfmiddlewaretoken": _token(page), "code": _code(site["key"])}
    response, _ = pat.on("b", "POST", "/account/two-factor/verify/", body=urlencode(form))
    assert response.status == 302
    response, page = pat.on("a", "GET", "/")
    assert response.status == 200 and "What needs your attention" in page

    # The families' page, served (and cached in Redis) by B before the publication.
    family = f"/families/{site['slug']}/"
    response, before = NodeBrowser(site).on("b", "GET", family)
    assert response.status == 200 and "Our results, in plain words" not in before
    cache = redis.Redis.from_url(site["redis_url"])
    cached = f"*family-page:{site['school_pk']}:home:en"
    assert cache.keys(cached), "the families' page is cached in Redis, shared by the nodes"

    spf = f"/schools/{site['school_pk']}/spf/"
    _, page = pat.on("b", "GET", spf)
    form = {
        "csrfmiddlewaretoken": _token(page),
        "text-en": "Our results, in plain words: reading went up this year.",
        "action": "publish",
    }
    response, _ = pat.on("a", "POST", spf, body=urlencode(form))
    assert response.status == 302, "published through A"
    response, after = NodeBrowser(site).on("b", "GET", family)
    assert "Our results, in plain words: reading went up this year." in after

    # A file uploaded through A, downloaded through B (object storage, shared by the nodes).
    _upload_through_a_download_through_b(site, pat)


def test_the_lock_out_holds_on_every_node(site):
    wrong = NodeBrowser(site)
    for n in range(5):
        _, page = wrong.on("ab"[n % 2], "GET", "/accounts/login/")
        form = {"csrfmiddlewaretoken": _token(page), "username": "ana", "password": "wrong"}
        response, _ = wrong.on("ba"[n % 2], "POST", "/accounts/login/", body=urlencode(form))
    assert response.status == 429  # the fifth, whichever node counted the other four
    for node in ("a", "b"):
        _, page = wrong.on(node, "GET", "/accounts/login/")
        form = {"csrfmiddlewaretoken": _token(page), "username": "ana", "password": PASSWORD}
        response, _ = wrong.on(node, "POST", "/accounts/login/", body=urlencode(form))
        assert response.status == 429, f"node {node} lets the locked-out account in"


def test_nothing_was_written_to_a_nodes_local_folders(site):
    # Last in this module: after sign-ins, a second step, a publication and a lock-out.
    for name, node in site["nodes"].items():
        written = [p for p in node["local"].rglob("*") if p.is_file()]
        assert written == [], f"node {name} wrote to its local disk: {written}"
        assert "Error" not in node["log"].read_text()
