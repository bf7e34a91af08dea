"""When a provider is down, the public API answers 503 with Retry-After at once."""

from __future__ import annotations

import time

import pytest
from rest_framework.test import APIClient

from contracts.services import registry
from contracts.users import UsersService
from extraction.rpc import breakers
from extraction.rpc.client import remote_adapter

pytestmark = pytest.mark.django_db


@pytest.fixture
def users_remote_and_down(unreachable_url):
    bound = registry.factory(UsersService)
    registry.provide(
        UsersService, remote_adapter(UsersService, base_url=unreachable_url), replace=True
    )
    yield
    registry.provide(UsersService, bound, replace=True)


def test_placing_an_order_while_users_is_down_is_503_with_retry_after(
    customer, users_remote_and_down, settings
):
    settings.SEAMS_RPC_BREAKER_FAIL_MAX = 2
    settings.SEAMS_RPC_BREAKER_RESET_SECONDS = 20
    client = APIClient()
    client.force_authenticate(customer)
    answers = []
    for _ in range(3):
        started = time.monotonic()
        response = client.post(
            "/api/v1/orders", {"lines": [{"sku": "SEAM-MUG", "quantity": 1}]}, format="json"
        )
        answers.append((response, time.monotonic() - started))
    for response, took in answers:
        assert response.status_code == 503, response.content
        assert took < 1.0
        body = response.json()
        assert set(body) == {"code", "message", "details"}
        assert body["code"] == "service_unavailable"
        assert body["details"]["service"] == "users"
        assert int(response["Retry-After"]) >= 1
    # once the breaker is open, Retry-After says when it lets a call through again
    assert breakers.breaker_state("users") == "open"
    assert 15 <= int(answers[-1][0]["Retry-After"]) <= 20
