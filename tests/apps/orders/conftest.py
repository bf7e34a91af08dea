"""Fixtures of the orders tests: a catalog, customers, and a look at the outbox."""

from __future__ import annotations

import uuid
from decimal import Decimal

import pytest
from rest_framework.test import APIClient

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
