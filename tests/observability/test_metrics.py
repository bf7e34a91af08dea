"""``/metrics``: closed by default, and the series that need no broker (in process)."""

from __future__ import annotations

import uuid

import pytest

from contracts import get
from contracts.users import UserNotFound, UsersService
from extraction.observability import remote
from extraction.observability.remote import BreakerState, RemoteService, StaticRemoteServices
from tests.observability.scrape import value

TOKEN = "a-metrics-token"


@pytest.fixture
def scrape(client, settings):
    settings.SEAMS_METRICS_TOKEN = TOKEN

    def scrape() -> str:
        response = client.get("/metrics", HTTP_AUTHORIZATION=f"Bearer {TOKEN}")
        assert response.status_code == 200
        return response.content.decode()

    return scrape


def test_metrics_do_not_exist_without_a_token(client, settings):
    settings.SEAMS_METRICS_TOKEN = ""
    assert client.get("/metrics").status_code == 404


def test_metrics_refuse_a_wrong_token(client, settings):
    settings.SEAMS_METRICS_TOKEN = TOKEN
    assert client.get("/metrics").status_code == 401
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer nope").status_code == 401


@pytest.mark.postgres
@pytest.mark.django_db
def test_breaker_state_of_each_remote_service(scrape):
    previous = remote.install(
        StaticRemoteServices(
            [
                RemoteService("payments", "http://payments:8000", BreakerState.OPEN, failures=5),
                RemoteService("users", "http://users:8000", BreakerState.CLOSED),
            ]
        )
    )
    try:
        text = scrape()
    finally:
        remote.install(previous)
    assert value(text, "seams_remote_breaker_state", service="payments", state="open") == 1
    assert value(text, "seams_remote_breaker_state", service="payments", state="closed") == 0
    assert value(text, "seams_remote_breaker_state", service="users", state="closed") == 1
    assert value(text, "seams_remote_breaker_failures", service="payments") == 5


@pytest.mark.postgres
@pytest.mark.django_db
def test_contract_calls_are_counted_by_outcome(scrape):
    labels = {"contract": "UsersService", "method": "get_user", "transport": "direct"}

    def count(outcome: str) -> float:
        try:
            return value(
                scrape(), "seams_contract_call_duration_seconds_count", outcome=outcome, **labels
            )
        except AssertionError:
            return 0.0

    before = count("contract_error")
    # when: a call that raises the contract's own error
    with pytest.raises(UserNotFound):
        get(UsersService).get_user(user_id=uuid.uuid4())
    # then
    assert count("contract_error") == before + 1


@pytest.mark.postgres
@pytest.mark.django_db
def test_requests_are_counted_by_route_not_by_path(client, scrape):
    labels = {"route": "api/v1/orders/<uuid:order_id>", "status": "401"}

    def count() -> float:
        try:
            return value(scrape(), "seams_http_request_duration_seconds_count", **labels)
        except AssertionError:
            return 0.0

    before = count()
    order_id = uuid.uuid4()
    # when
    client.get(f"/api/v1/orders/{order_id}")
    # then: one more under the route, and the path itself is in no series
    assert count() == before + 1
    assert str(order_id) not in scrape()


def test_the_correlation_id_comes_back_or_is_made(client):
    sent = client.get("/healthz", HTTP_X_CORRELATION_ID="from-the-edge-1")
    made = client.get("/healthz")
    refused = client.get("/healthz", HTTP_X_CORRELATION_ID="not allowed;" * 10)
    assert sent["X-Correlation-ID"] == "from-the-edge-1"
    assert len(made["X-Correlation-ID"]) == 32
    assert refused["X-Correlation-ID"] != "not allowed;" * 10
