"""factory-boy factories for the models of every app."""

from __future__ import annotations

import uuid
from decimal import Decimal

import factory

from apps.orders.models import Order
from apps.payments.models import Payment
from apps.users.models import User


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"customer{n}@example.com")
    full_name = factory.Faker("name")
    password = factory.django.Password("correct horse battery staple")


class OrderFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Order

    customer_id = factory.LazyFunction(uuid.uuid4)
    total = Decimal("42.50")
    currency = "EUR"


class PaymentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Payment

    order_id = factory.LazyFunction(uuid.uuid4)
    customer_id = factory.LazyFunction(uuid.uuid4)
    amount = Decimal("42.50")
    currency = "EUR"
    idempotency_key = factory.Sequence(lambda n: f"key-{n}")
