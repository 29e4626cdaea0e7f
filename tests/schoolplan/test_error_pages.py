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
