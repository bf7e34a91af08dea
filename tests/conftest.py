"""Fixtures shared by every suite."""

from __future__ import annotations

import pytest

from tests.factories import OrderFactory, PaymentFactory, UserFactory
from tests.factories.users import SuperuserFactory, sign_in_to_admin


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


@pytest.fixture
def admin_user(db):
    """pytest-django's superuser, made where accounts live: the users app."""
    return SuperuserFactory(email="root@seams.example")


@pytest.fixture
def admin_client(client, admin_user):
    """A client signed in to the admin as ``admin_user``, through the users contract."""
    return sign_in_to_admin(client, admin_user)
