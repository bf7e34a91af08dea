"""Fixtures of the orders tests: a catalog, customers, a look at the outbox, and a way to
place and pay an order through the APIs."""

from __future__ import annotations

import uuid
from collections.abc import Collection
from decimal import Decimal

import pytest
from rest_framework.test import APIClient

from apps.orders.models import Order
from extraction.models import OutboxEvent
from tests.factories.orders import OrderFactory, ProductFactory
from tests.factories.users import UserFactory


@pytest.fixture
def other_customer(db):
    return UserFactory()


@pytest.fixture
def tee(db):
    return ProductFactory(sku="TEE", name="T-shirt", price=Decimal("19.99"), stock=10)


@pytest.fixture
def mug(db):
    return ProductFactory(sku="MUG", name="Mug", price=Decimal("9.50"), stock=5)


@pytest.fixture
def api():
    return APIClient()


@pytest.fixture
def shopper(customer):
    """An API client signed in as ``customer``."""
    client = APIClient()
    client.force_authenticate(customer)
    return client


def place_and_pay(
    client: APIClient, token: str = "tok_success", *, paid_with: Collection[int] = (201,)
) -> Order:
    """Place an order of two TEE through the API and pay it with ``token`` (a fresh key);
    the payment's answer must be one of ``paid_with``."""
    placed = client.post(
        "/api/v1/orders", {"lines": [{"sku": "TEE", "quantity": 2}]}, format="json"
    )
    assert placed.status_code == 201, placed.content
    order_id = placed.json()["id"]
    paid = client.post(
        "/api/v1/payments",
        {"order_id": order_id, "payment_token": token},
        format="json",
        HTTP_IDEMPOTENCY_KEY=str(uuid.uuid4()),
    )
    assert paid.status_code in paid_with, paid.content
    return Order.objects.get(pk=order_id)


@pytest.fixture
def published():
    """The payloads of the events published so far (outbox rows), optionally of one name."""

    def read(name: str | None = None) -> list[dict]:
        rows = OutboxEvent.objects.order_by("id")
        if name is not None:
            rows = rows.filter(name=name)
        return [row.payload for row in rows]

    return read


@pytest.fixture
def paid_order(db, tee, customer):
    """A paid order of two T-shirts (their stock is reserved: 10 → 8)."""
    tee.stock = 8
    tee.save(update_fields=["stock"])
    return OrderFactory.with_lines(
        (tee, 2), customer_id=customer.pk, status="paid", payment_id=uuid.uuid4()
    )
