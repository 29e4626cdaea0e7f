"""schoolplan.edge: the client's address through trusted proxies only, /health/ before the host
check and the HTTPS redirect, and private pages kept out of caches."""

import pytest
from django.test import RequestFactory

from schoolplan.audit import record
from schoolplan.edge import ClientAddressMiddleware, client_address
from schoolplan.models import Role
from schoolplan.models.audit import AuditEvent

from ..factories import UserFactory, member

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("forwarded", "proxies", "expected"),
    [
        ("", 0, "10.0.0.9"),  # no proxy configured: the socket
        ("198.51.100.7", 0, "10.0.0.9"),  # ... whatever the client writes
        ("198.51.100.7", 1, "198.51.100.7"),  # one proxy appended the client
        ("6.6.6.6, 198.51.100.7", 1, "198.51.100.7"),  # the client's own entry is ignored
        ("6.6.6.6, 198.51.100.7, 10.0.0.2", 2, "198.51.100.7"),  # two proxies
        ("198.51.100.7", 2, "10.0.0.9"),  # fewer hops than proxies: not through them
        ("not-an-address", 1, "10.0.0.9"),
        ("2001:db8::1", 1, "2001:db8::1"),
    ],
)
def test_client_address(forwarded, proxies, expected):
    meta = {"REMOTE_ADDR": "10.0.0.9", "HTTP_X_FORWARDED_FOR": forwarded}
    assert client_address(meta, proxies) == expected


def _through_middleware(settings, proxies, **headers):
    settings.TRUSTED_PROXY_COUNT = proxies
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.9", **headers)
    seen = {}

    def view(request):
        seen.update(request.META)

    ClientAddressMiddleware(view)(request)
    return seen


def test_middleware_sets_the_client_address_and_keeps_the_proxys(settings):
    meta = _through_middleware(
        settings, 1, HTTP_X_FORWARDED_FOR="198.51.100.7", HTTP_X_FORWARDED_PROTO="https"
    )
    assert meta["REMOTE_ADDR"] == "198.51.100.7" and meta["PROXY_ADDR"] == "10.0.0.9"
    assert meta["HTTP_X_FORWARDED_PROTO"] == "https"


def test_forwarded_proto_from_anyone_but_our_proxies_is_dropped(settings):
    meta = _through_middleware(settings, 0, HTTP_X_FORWARDED_PROTO="https")
    assert "HTTP_X_FORWARDED_PROTO" not in meta and meta["REMOTE_ADDR"] == "10.0.0.9"
    meta = _through_middleware(settings, 1, HTTP_X_FORWARDED_PROTO="https")  # no X-F-F
    assert "HTTP_X_FORWARDED_PROTO" not in meta


def test_audit_log_and_sign_in_see_the_client_behind_the_proxy(client, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    UserFactory(username="ana", password="Correct-horse-42")
    client.post(
        "/accounts/login/",
        {"username": "ana", "password": "wrong"},
        REMOTE_ADDR="10.0.0.2",
        HTTP_X_FORWARDED_FOR="6.6.6.6, 198.51.100.7",
    )
    assert AuditEvent.objects.get(action="login_failed").ip_address == "198.51.100.7"


def test_audit_record_without_proxy_keeps_the_socket_address(rf):
    user = UserFactory()
    record(user, "login", request=rf.get("/", REMOTE_ADDR="10.0.0.9"))
    assert AuditEvent.objects.get(action="login").ip_address == "10.0.0.9"


def test_health_answers_by_ip_over_plain_http_in_production(client, settings):
    settings.ALLOWED_HOSTS = ["schoolplan.example.org"]
    settings.SECURE_SSL_REDIRECT = True
    response = client.get("/health/", HTTP_HOST="10.0.0.5:8000")
    assert (response.status_code, response.content) == (200, b"ok")
    # Every other page still gets the host check and the redirect.
    assert client.get("/accounts/login/", HTTP_HOST="10.0.0.5:8000").status_code == 400
    response = client.get("/accounts/login/", HTTP_HOST="schoolplan.example.org")
    assert response.status_code == 301


def test_signed_in_responses_are_private_and_not_stored(client, school):
    client.force_login(member(Role.PRINCIPAL, school))
    for path in ("/", f"/schools/{school.pk}/", "/no-such-page/"):
        assert client.get(path)["Cache-Control"] == "private, no-store", path


def test_anonymous_family_pages_keep_their_own_caching(client, school):
    response = client.get(f"/families/{school.public_slug}/")
    assert response.status_code == 200
    assert "no-store" not in response.get("Cache-Control", "")
