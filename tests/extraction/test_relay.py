"""The relay on real PostgreSQL and RabbitMQ: claiming, confirms, routing, ordering, wake-up."""

from __future__ import annotations

import json
import threading
import time
from typing import Any

import pytest
from django.db import connection, transaction
from kombu import Connection

from contracts import publish
from extraction.events.publisher import BrokerUnavailable, Outgoing
from extraction.events.relay import Relay, relay_batch
from extraction.events.routing import CONSUME_TASK, declare_topology, service_queue
from extraction.events.wakeup import Wakeup
from extraction.models import OutboxEvent, OutboxStatus
from tests.extraction.conftest import wait_until
from tests.extraction.probe_handlers import NobodyProbed, OrdersProbed, Probed

pytestmark = [pytest.mark.postgres, pytest.mark.rabbitmq, pytest.mark.django_db(transaction=True)]


def drain_queue(url: str, service: str) -> list[tuple[dict[str, Any], dict[str, Any]]]:
    """Every message waiting in ``service``'s queue: (headers, envelope), in queue order."""
    out = []
    with Connection(url) as conn:
        queue = service_queue(service)
        assert queue is not None
        bound = queue(conn.channel())
        while (message := bound.get(no_ack=True)) is not None:
            args, _kwargs, _embed = json.loads(message.body)
            out.append((message.headers, args[0]))
    return out


def publish_labels(event_type: type, labels: list[str]) -> None:
    with transaction.atomic():
        for label in labels:
            publish(event_type(label=label))


def test_relay_publishes_confirmed_rows_and_marks_them(rabbitmq):
    # given
    publish_labels(OrdersProbed, ["a", "b"])
    relay = Relay()
    # when
    relayed = relay.drain()
    relay.close()
    # then
    assert relayed == 2
    rows = list(OutboxEvent.objects.order_by("id"))
    assert {r.status for r in rows} == {OutboxStatus.PUBLISHED}
    assert all(r.attempts == 1 and r.published_at and r.last_attempt_at for r in rows)
    messages = drain_queue(rabbitmq, "orders")
    assert [env["payload"]["label"] for _, env in messages] == ["a", "b"]
    headers, envelope = messages[0]
    assert headers["task"] == CONSUME_TASK
    assert headers["id"] == str(rows[0].event_id)
    assert envelope["name"] == "tests.OrdersProbed"
    assert envelope["event_id"] == str(rows[0].event_id)


def test_each_subscribing_service_gets_its_own_copy_and_no_other_events(rabbitmq):
    # given: Probed (orders and payments), OrdersProbed (orders), NobodyProbed (no one)
    with transaction.atomic():
        publish(Probed(label="both"))
        publish(OrdersProbed(label="orders-only"))
        publish(NobodyProbed(label="nobody"))
    # when
    Relay().drain()
    # then
    orders = [env["name"] for _, env in drain_queue(rabbitmq, "orders")]
    payments = [env["name"] for _, env in drain_queue(rabbitmq, "payments")]
    assert orders == ["tests.Probed", "tests.OrdersProbed"]
    assert payments == ["tests.Probed"]
    assert OutboxEvent.objects.filter(status=OutboxStatus.PUBLISHED).count() == 3


def test_events_of_one_transaction_reach_the_queue_in_publication_order(rabbitmq):
    labels = [f"n{i:03d}" for i in range(120)]
    publish_labels(OrdersProbed, labels)
    Relay(batch_size=50).drain()
    assert [env["payload"]["label"] for _, env in drain_queue(rabbitmq, "orders")] == labels


def test_several_relays_at_once_never_publish_a_row_twice(rabbitmq):
    # given: 1,500 rows and three relays racing for them
    for start in range(0, 1500, 100):
        publish_labels(OrdersProbed, [f"r{i}" for i in range(start, start + 100)])
    counts: list[int] = []

    def run() -> None:
        relay = Relay(batch_size=25)
        try:
            counts.append(relay.drain())
        finally:
            relay.close()
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(3)]
    # when
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    # then: every row published exactly once, by one relay or another
    assert sum(counts) == 1500
    assert OutboxEvent.objects.filter(status=OutboxStatus.PUBLISHED, attempts=1).count() == 1500
    ids = [env["event_id"] for _, env in drain_queue(rabbitmq, "orders")]
    assert len(ids) == len(set(ids)) == 1500


def test_an_unreachable_broker_leaves_the_rows_pending_with_attempts_unspent(settings, rabbitmq):
    # given
    publish_labels(OrdersProbed, ["waiting"])
    relay = Relay(broker_url="amqp://guest:guest@127.0.0.1:1//")
    # when / then
    with pytest.raises(BrokerUnavailable):
        relay.relay_once()
    row = OutboxEvent.objects.get()
    assert (row.status, row.attempts, row.published_at) == (OutboxStatus.PENDING, 0, None)


def test_a_refused_message_is_recorded_and_retried_later_then_parked(settings, rabbitmq):
    """The broker's nack path (rare with RabbitMQ, so a publisher that refuses)."""
    settings.SEAMS_OUTBOX_MAX_ATTEMPTS = 2

    class Refusing:
        def publish_batch(self, messages: list[Outgoing]) -> dict[int, str]:
            return {m.key: "the broker refused the message (basic.nack)" for m in messages}

        def close(self) -> None: ...

    publish_labels(OrdersProbed, ["refused"])
    assert relay_batch(Refusing(), batch_size=10) == 1
    row = OutboxEvent.objects.get()
    assert (row.status, row.attempts) == (OutboxStatus.FAILED, 1)
    assert "basic.nack" in row.last_error
    assert row.next_attempt_at is not None
    # not due yet: the next batch leaves it alone
    assert relay_batch(Refusing(), batch_size=10) == 0
    OutboxEvent.objects.update(next_attempt_at=None)
    relay_batch(Refusing(), batch_size=10)
    row.refresh_from_db()
    assert (row.status, row.attempts) == (OutboxStatus.PARKED, 2)


def test_the_relay_wakes_on_notify_right_after_a_commit(rabbitmq):
    # given: a relay that would otherwise only poll every 30 seconds
    relay = Relay(poll_seconds=30)
    with Connection(rabbitmq) as conn:
        declare_topology(conn.channel())
    stop = threading.Event()

    def run() -> None:
        try:
            relay.run(stop)
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    try:
        time.sleep(0.5)  # the relay is listening and idle
        # when
        publish_labels(OrdersProbed, ["wake"])
        committed = time.monotonic()
        # then
        wait_until(
            lambda: OutboxEvent.objects.filter(status=OutboxStatus.PUBLISHED).exists(),
            timeout=5,
            what="the relay to wake up",
        )
        assert time.monotonic() - committed < 2
    finally:
        stop.set()
        relay.wakeup.nudge()
        thread.join(timeout=35)


def test_the_wakeup_survives_the_database_being_away_and_listens_again(monkeypatch):
    # given: a database that refuses connections (nothing listens on that port)
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    params = connection.get_connection_params()
    monkeypatch.setattr(
        connection, "get_connection_params", lambda: {**params, "port": closed_port}
    )
    wakeup = Wakeup()
    try:
        # when: the relay starts listening, then waits
        wakeup.listen()
        started = time.monotonic()
        wakeup.wait(0.2)
        # then: no error, it polled for the whole timeout
        assert wakeup._listener is None
        assert time.monotonic() - started >= 0.2
        # when: the database is back
        monkeypatch.undo()
        wakeup.wait(0.01)
        # then: the next wait listened again
        assert wakeup._listener is not None
    finally:
        wakeup.close()
