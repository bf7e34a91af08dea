"""factory-boy factories of the orders app."""

from __future__ import annotations

import uuid
from decimal import Decimal

import factory

from apps.orders.models import Order


class OrderFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Order

    customer_id = factory.LazyFunction(uuid.uuid4)
    total = Decimal("42.50")
    currency = "EUR"
