"""Fixtures shared by every suite."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.contracts.live import LiveProvider
from tests.factories import OrderFactory, PaymentFactory, UserFactory
from tests.factories.users import SuperuserFactory, sign_in_to_admin
from tests.services_plugin import on_postgres


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


@pytest.fixture(scope="session")
def live_provider(django_db_setup, django_db_blocker, tmp_path_factory) -> Iterator[LiveProvider]:
    """A gunicorn provider of every contract, with its own database (tests/contracts/live.py)."""
    if not on_postgres():
        pytest.skip("the live provider needs PostgreSQL")
    from django.db import connections

    provider = LiveProvider(
        dict(connections["default"].settings_dict), logs=tmp_path_factory.mktemp("provider")
    )
    try:
        with django_db_blocker.unblock():
            provider.start()
            yield provider
    finally:
        with django_db_blocker.unblock():
            provider.stop()
