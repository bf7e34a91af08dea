"""Fixtures of the payments tests: API clients, a payable order, a way to pay it."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID

import pytest
from django.db.models import Sum
from rest_framework.test import APIClient

from apps.payments import resolution
from apps.payments.models import Payment, SandboxCharge, SandboxRefund
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


def resolve() -> dict[str, int]:
    """Run the resolver now over everything open (``resolution.resolve_all``)."""
    return resolution.resolve_all(
        older_than=timedelta(0), late_capture_window=timedelta(hours=1), limit=1000
    )


def ledger_net(
    *, order_id: UUID | None = None, payment_id: UUID | None = None
) -> tuple[Decimal, int]:
    """What the gateway's own ledger says of an order's payments (or of one payment): the
    amount captured minus the amount refunded, and how many captures were never refunded."""
    if payment_id is not None:
        keys = [str(payment_id)]
    else:
        payment_ids = Payment.objects.filter(order_id=order_id).values_list("pk", flat=True)
        keys = [str(pk) for pk in payment_ids]
    charges = SandboxCharge.objects.filter(idempotency_key__in=keys, outcome="succeeded")
    refunded = SandboxRefund.objects.filter(charge__in=charges, outcome="succeeded")
    unrefunded = charges.exclude(refunds__outcome="succeeded").count()
    net = (charges.aggregate(s=Sum("amount"))["s"] or Decimal(0)) - (
        refunded.aggregate(s=Sum("amount"))["s"] or Decimal(0)
    )
    return net, unrefunded


def net_charged(*, order_id: UUID | None = None, payment_id: UUID | None = None) -> Decimal:
    """Captured minus refunded at the gateway (``ledger_net``)."""
    return ledger_net(order_id=order_id, payment_id=payment_id)[0]
