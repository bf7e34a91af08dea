"""Fixtures of the payments tests: API clients, a payable order, a way to pay it."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from rest_framework.test import APIClient

from extraction.models import OutboxEvent
from tests.factories.orders import OrderFactory
from tests.factories.users import UserFactory

PAYMENTS_URL = "/api/v1/payments"


@pytest.fixture
def customer_api(customer) -> APIClient:
    client = APIClient()
    client.force_authenticate(customer)
    return client


@pytest.fixture
def staff_api(staff) -> APIClient:
    client = APIClient()
    client.force_authenticate(staff)
    return client


@pytest.fixture
def other_customer(db):
    return UserFactory()


@pytest.fixture
def order(customer):
    """An order of ``customer`` waiting for its payment of 42.50 EUR."""
    return OrderFactory(customer_id=customer.id, total=Decimal("42.50"), currency="EUR")


Pay = Callable[..., Any]


@pytest.fixture
def pay(customer_api, order) -> Pay:
    """POST /payments for ``order`` (or ``order_id=``) with a key and a token."""

    def post(
        *,
        key: str | None = "key-1",
        token: str = "tok_success",
        order_id: object = None,
        client: APIClient | None = None,
    ) -> Any:
        headers = {} if key is None else {"HTTP_IDEMPOTENCY_KEY": key}
        return (client or customer_api).post(
            PAYMENTS_URL,
            {"order_id": str(order_id or order.id), "payment_token": token},
            format="json",
            **headers,
        )

    return post


def published(name: str) -> list[dict[str, Any]]:
    """Payloads of the events called ``name`` in the outbox, oldest first."""
    return list(
        OutboxEvent.objects.filter(name=name).order_by("id").values_list("payload", flat=True)
    )
