"""Fixtures shared by every suite."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from contracts.events import subscribe, subscriptions, unsubscribe
from extraction.events import delivery
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


@pytest.fixture
def statement_budget(settings):
    """What a statement budget measures: the shop's own handlers, no sweep coming due.

    Probes of other test modules (an OrderPlaced handler, say) stay subscribed for
    the rest of the session once imported, and the embedded delivery sweeps at a
    process's first commit and then at intervals: the budgets are those of the
    requests in between, with the shop's subscriptions.
    """
    probes = [s for s in subscriptions() if s.key.startswith("tests.")]
    for probe in probes:
        unsubscribe(probe.key)
    settings.SEAMS_OUTBOX_SWEEP_SECONDS = 3600
    delivery.sweeps.take()
    yield
    delivery.sweeps.reset()
    for probe in probes:
        subscribe(probe.event_type, service=probe.service)(probe.handler)
