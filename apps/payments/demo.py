"""The payments part of the demo shop: captured payments of the demo's paid orders."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

from django.db import transaction

from apps.payments.models import Payment
from contracts import demo
from contracts.payments import PaymentStatus

DEMO_PAYMENTS = (
    ("ada@example.com", 2, Decimal("19.99")),
    ("grace@example.com", 1, Decimal("120.00")),
)


@transaction.atomic
def seed(*, log: Callable[[str], None]) -> None:
    for email, number, amount in DEMO_PAYMENTS:
        key = f"demo-{email}-{number}"
        _, created = Payment.objects.get_or_create(
            id=demo.demo_id("payment", key),
            defaults={
                "order_id": demo.demo_id("order", f"{email}:{number}"),
                "customer_id": demo.demo_id("user", email),
                "amount": amount,
                "currency": "EUR",
                "status": PaymentStatus.CAPTURED.value,
                "gateway_reference": f"sandbox_demo_{number}",
                "idempotency_key": key,
            },
        )
        log(f"payments: {email} #{number} captured ({'created' if created else 'kept'})")
