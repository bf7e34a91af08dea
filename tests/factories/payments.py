"""factory-boy factories of the payments app."""

from __future__ import annotations

import uuid
from decimal import Decimal

import factory

from apps.payments.models import Payment


class PaymentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Payment

    order_id = factory.LazyFunction(uuid.uuid4)
    customer_id = factory.LazyFunction(uuid.uuid4)
    amount = Decimal("42.50")
    currency = "EUR"
    idempotency_key = factory.Sequence(lambda n: f"key-{n}")
