"""The faults the event delivery must survive, with real processes, PostgreSQL and RabbitMQ.

Each test starts ``manage.py outbox relay`` and ``celery worker`` subprocesses on
the pytest database, breaks something for real (SIGKILL, an unreachable broker,
a handler that always raises), and checks that every event is delivered and
every handler's effect applied exactly once. Each is bounded in time.
"""

from __future__ import annotations

import collections
from urllib.parse import urlsplit

import pytest
from django.contrib.auth.models import Group
from django.db import transaction

from contracts import publish
from extraction.models import DeliveryFailure, DeliveryStatus, InboxEntry, OutboxEvent
from extraction.models import OutboxStatus as Status
from tests.extraction.conftest import wait_until
from tests.extraction.probe_handlers import OrdersProbed, Probed, apply_probe
from tests.extraction.tcp_proxy import TcpProxy
from tests.factories.orders import ProductFactory
from tests.factories.users import UserFactory

# By name only: importing the module would subscribe its handler in this process
# too, and every OrderPlaced of the other suites would then be delivered here.
ORDER_PROBE = "tests.extraction.order_probe"

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.rabbitmq,
    pytest.mark.django_db(transaction=True),
    pytest.mark.timeout(60),
]


def effects_by_label(prefix: str) -> collections.Counter[str]:
    names = Group.objects.filter(name__startswith=f"{prefix}:").values_list("name", flat=True)
    return collections.Counter(name.split(":")[1] for name in names)


def published_count() -> int:
    return OutboxEvent.objects.filter(status=Status.PUBLISHED).count()


def test_relay_killed_mid_batch_then_restarted_delivers_everything_once(rabbitmq, processes):
    # given: 2,000 events waiting in the outbox and a worker consuming
    total = 2000
    for start in range(0, total, 100):
        with transaction.atomic():
            for i in range(start, start + 100):
                publish(OrdersProbed(label=f"k{i}"))
    processes.worker(rabbitmq)
    # Small batches keep the relay busy long enough to be killed mid-way.
    relay = processes.relay(rabbitmq, batch_size=20)
    # when: the relay is killed while it is relaying
    wait_until(lambda: published_count() > 0, timeout=30, what="the relay's first batch")
    processes.kill(relay)
    assert published_count() < total, "the relay finished before it could be killed"
    # and a new relay takes over
    processes.relay(rabbitmq)
    # then: every event is published and applied exactly once
    wait_until(lambda: published_count() == total, timeout=30, what="every row published")
    wait_until(lambda: InboxEntry.objects.count() == total, timeout=40, what="every event handled")
    counts = effects_by_label("orders")
    assert len(counts) == total
    assert set(counts.values()) == {1}


def test_broker_unreachable_while_orders_are_placed_then_everything_is_delivered(
    rabbitmq, processes, settings
):
    # given: a relay whose broker is down (nothing listens on the proxy's port)
    proxy = TcpProxy(urlsplit(rabbitmq).port or 5672)
    down_url = f"amqp://guest:guest@127.0.0.1:{proxy.port}//"
    settings.CELERY_BROKER_URL = down_url
    modules = f"{processes.env()['SEAMS_EXTRA_HANDLER_MODULES']},{ORDER_PROBE}"
    processes.worker(rabbitmq, SEAMS_EXTRA_HANDLER_MODULES=modules)
    relay = processes.relay(down_url, SEAMS_EXTRA_HANDLER_MODULES=modules)
    customer = UserFactory()
    ProductFactory(sku="TEE", stock=100)
    from apps.orders.services import order_place

    try:
        # when: orders are placed
        orders = [order_place(customer_id=customer.pk, lines=[("TEE", 1)]) for _ in range(20)]
        # then: placing succeeded; the relay keeps failing to reach the broker
        wait_until(
            lambda: processes.log_of(relay).count("broker unavailable") >= 2,
            timeout=30,
            what="the relay to try the broker and fail",
        )
        # and the events wait in the outbox, their attempts unspent
        placed = OutboxEvent.objects.filter(name="orders.OrderPlaced")
        assert placed.count() == 20
        assert set(placed.values_list("status", "attempts")) == {(Status.PENDING, 0)}
        assert relay.poll() is None, "the relay must keep retrying, not exit"
        # when: the broker is back
        proxy.open()
        # then: all are delivered, each applied once
        wait_until(
            lambda: len(effects_by_label("placed")) == 20, timeout=40, what="every order event"
        )
        counts = effects_by_label("placed")
        assert counts == {str(o.id): 1 for o in orders}
        assert set(placed.values_list("status", flat=True)) == {Status.PUBLISHED}
    finally:
        processes.stop_all()
        proxy.close()


def test_worker_killed_mid_handler_then_the_event_is_redelivered_and_applied_once(
    rabbitmq, processes, tmp_path
):
    # given: a worker that is inside a slow handler
    runs = tmp_path / "slow-1.runs"
    processes.relay(rabbitmq)
    worker = processes.worker(rabbitmq)
    with transaction.atomic():
        publish(Probed(label="slow-1", marker_dir=str(tmp_path)))
    # (the file exists as soon as the handler opens it; its line is there once written)
    wait_until(
        lambda: runs.exists() and "run" in runs.read_text(),
        timeout=30,
        what="the slow handler to start",
    )
    # when: the worker is killed with SIGKILL mid-handler, and a new one starts
    processes.kill(worker)
    assert effects_by_label("probe")["slow-1"] == 0  # its transaction died with it
    processes.worker(rabbitmq)
    # then: the message is redelivered and the effect applied exactly once
    wait_until(lambda: effects_by_label("probe")["slow-1"] == 1, timeout=40, what="the redelivery")
    assert runs.read_text().count("run") == 2
    assert effects_by_label("audit")["slow-1"] == 1  # the other service's copy, once
    assert InboxEntry.objects.filter(handler__endswith="apply_probe").count() == 1


def test_a_poison_event_is_parked_after_n_attempts_and_does_not_hold_back_the_others(
    rabbitmq, processes
):
    # given: a poison event followed by good ones
    processes.relay(rabbitmq)
    processes.worker(rabbitmq)
    with transaction.atomic():
        poison = Probed(label="poison-1")
        publish(poison)
    with transaction.atomic():
        for i in range(20):
            publish(OrdersProbed(label=f"good{i}"))
    # then: the good ones are all applied while the poison is retried
    wait_until(lambda: len(effects_by_label("orders")) == 20, timeout=30, what="the good events")
    # and the poison is parked after SEAMS_OUTBOX_MAX_ATTEMPTS (3) with its error
    key = f"{apply_probe.__module__}.{apply_probe.__qualname__}"
    wait_until(
        lambda: DeliveryFailure.objects.filter(handler=key, status=DeliveryStatus.PARKED).exists(),
        timeout=40,
        what="the poison to be parked",
    )
    failure = DeliveryFailure.objects.get(handler=key)
    assert failure.event_id == poison.event_id
    assert failure.attempts == 3
    assert failure.service == "orders"
    assert "poison probe poison-1: this handler always fails" in failure.last_error
    assert effects_by_label("probe")["poison-1"] == 0  # every attempt rolled back
    assert effects_by_label("audit")["poison-1"] == 1  # the payments copy was fine
    assert set(effects_by_label("orders").values()) == {1}
