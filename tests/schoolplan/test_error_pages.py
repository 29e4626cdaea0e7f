import pytest
from django.test import RequestFactory
from django.views.defaults import server_error

from schoolplan.models import Role

from ..factories import member

pytestmark = pytest.mark.django_db


def test_404_page_is_ours(client, school):
    client.force_login(member(Role.PRINCIPAL, school))
    response = client.get("/schools/999999/")
    assert response.status_code == 404
    assert b"Page not found" in response.content
    assert b"<title>Not found \xc2\xb7 SchoolPlan</title>" in response.content


def test_403_page_explains(client, school):
    client.force_login(member(Role.SCHOOL_STAFF, school))
    response = client.get(f"/schools/{school.pk}/edit/")
    assert response.status_code == 403
    assert b"You can&#x27;t do that here" in response.content or b"You can't do that here" in (
        response.content
    )


def test_500_page_renders_without_context():
    response = server_error(RequestFactory().get("/"))
    assert response.status_code == 500
    assert b"Something went wrong on our side" in response.content


def test_500_page_says_it_is_our_fault_and_gives_the_id_the_log_carries(caplog):
    from schoolplan.middleware import server_error as our_server_error

    try:
        raise RuntimeError("a bug")
    except RuntimeError:
        response = our_server_error(RequestFactory().get("/schools/1/"))
    assert response.status_code == 500
    page = response.content.decode()
    assert "This is our fault" in page and "try again in a moment" not in page
    error_id = page.split("<code>")[1].split("</code>")[0]
    assert len(error_id) == 12
    (line,) = [r for r in caplog.records if r.name == "schoolplan.errors"]
    assert error_id in line.getMessage() and line.exc_info[0] is RuntimeError


def test_lost_database_is_the_503_try_again_page():
    from django.db import OperationalError

    from schoolplan.middleware import server_error as our_server_error

    try:
        raise OperationalError("server closed the connection unexpectedly")
    except OperationalError:
        response = our_server_error(RequestFactory().get("/"))
    assert response.status_code == 503 and b"try again" in response.content


def test_403_page_does_not_claim_the_person_may_see_the_page(client, school):
    client.force_login(member(Role.SCHOOL_STAFF, school))
    response = client.get(f"/schools/{school.pk}/edit/")
    assert response.status_code == 403
    assert b"lets you see this page" not in response.content
    assert b"does not allow this" in response.content


def test_site_administrator_without_a_role_is_pointed_to_the_admin(client, settings):
    from ..factories import UserFactory

    settings.TWO_FACTOR_REQUIRED = False  # the second step has its own tests
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    page = client.get("/").content.decode()
    assert "Ask your district" not in page
    assert 'href="/admin/"' in page and "site administrator" in page


def test_person_without_a_role_is_told_to_ask(client):
    from ..factories import UserFactory

    client.force_login(UserFactory())
    page = client.get("/").content.decode()
    assert "Ask your district" in page and 'href="/admin/"' not in page
