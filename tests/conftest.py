"""Fixtures shared by every suite."""

from __future__ import annotations

import pytest

from tests.factories import OrderFactory, PaymentFactory, UserFactory


@pytest.fixture
def customer(db):
    return UserFactory()


@pytest.fixture
def staff(db):
    return UserFactory(is_staff=True, is_superuser=True)


@pytest.fixture
def order_factory(db):
    return OrderFactory


@pytest.fixture
def payment_factory(db):
    return PaymentFactory
