"""Errors the framework raises come back in the shared shape with stable codes."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def api():
    client = APIClient()
    client.force_authenticate(UserFactory())
    return client


def test_a_method_the_endpoint_lacks(api):
    response = api.delete("/api/v1/orders")
    assert response.status_code == 405
    assert response.json() == {
        "code": "method_not_allowed",
        "message": 'Method "DELETE" not allowed.',
        "details": {},
    }


def test_a_body_that_is_not_json(api):
    response = api.post(
        "/api/v1/orders", "lines=1", content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 415
    assert response.json()["code"] == "unsupported_media_type"


def test_broken_json(api):
    response = api.post("/api/v1/orders", "{not json", content_type="application/json")
    assert response.status_code == 400
    assert response.json()["code"] == "malformed_request"


def test_an_unknown_api_url_and_a_missing_object():
    client = APIClient()
    client.force_authenticate(UserFactory())
    for url, code in (
        ("/api/v1/no-such-thing", "not_found"),
        ("/api/v1/orders/not-a-uuid", "not_found"),
        ("/api/v1/orders/6b1b3c1e-8f8e-4d6a-9f3e-5ea1c0de5ea1", "orders.order_not_found"),
    ):
        response = client.get(url)
        assert response.status_code == 404
        assert response["Content-Type"] == "application/json"
        assert response.json()["code"] == code


def test_a_forged_token_is_an_authentication_failure():
    response = APIClient().get("/api/v1/orders", HTTP_AUTHORIZATION="Bearer not.a.token")
    assert response.status_code == 401
    body = response.json()
    assert body["code"] == "authentication_failed"
    assert body["details"]["code"] == "token_not_valid"
