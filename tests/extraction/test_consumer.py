"""The consuming side (broker mode): service copies, inbox, failures, parking, decoding."""

from __future__ import annotations

import uuid
from types import SimpleNamespace

import pytest
from django.contrib.auth.models import Group
from kombu import Connection, Producer

from contracts import codec
from extraction.events.consumer import DECODE_HANDLER, copy_service, handle
from extraction.events.routing import (
    QUEUE_HEADER,
    declare_topology,
    envelope_of,
    exchange,
    service_queue,
)
from extraction.models import DeliveryFailure, DeliveryStatus, InboxEntry
from tests.extraction.probe_handlers import Probed, apply_probe, audit_probe
from tests.services_plugin import SERVICES

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

APPLY = f"{apply_probe.__module__}.{apply_probe.__qualname__}"
AUDIT = f"{audit_probe.__module__}.{audit_probe.__qualname__}"


def envelope(event: Probed) -> dict:
    return envelope_of(
        event_id=str(event.event_id),
        name=event.name,
        version=event.version,
        aggregate_id=event.aggregate_id,
        payload=codec.to_jsonable(event),
    )


def groups(prefix: str) -> int:
    return Group.objects.filter(name__startswith=f"{prefix}:").count()


def test_a_copy_runs_only_its_services_handlers_and_a_redelivery_is_a_no_op():
    env = envelope(Probed(label="x"))
    # when: the orders copy, twice (a redelivery)
    assert handle(env, service="orders", redelivered=False) == []
    assert handle(env, service="orders", redelivered=True) == []
    # then
    assert (groups("probe"), groups("audit")) == (1, 0)
    assert list(InboxEntry.objects.values_list("handler", flat=True)) == [APPLY]
    # and the payments copy runs the payments handler
    handle(env, service="payments", redelivered=False)
    assert (groups("probe"), groups("audit")) == (1, 1)


def test_a_failing_handler_is_recorded_retried_for_its_service_then_parked(settings):
    settings.SEAMS_OUTBOX_MAX_ATTEMPTS = 3
    env = envelope(Probed(label="poison-c"))
    # when
    retries = handle(env, service="orders", redelivered=False)
    # then: one retry, for orders only, after a backoff; the effect rolled back
    assert [r.service for r in retries] == ["orders"]
    failure = DeliveryFailure.objects.get()
    assert (failure.handler, failure.service, failure.status) == (
        APPLY,
        "orders",
        DeliveryStatus.RETRYING,
    )
    assert failure.attempts == 1 and failure.next_attempt_at is not None
    assert failure.envelope == env
    assert groups("probe") == 0 and not InboxEntry.objects.exists()
    # when: it keeps failing
    handle(env, service="orders", redelivered=True)
    assert handle(env, service="orders", redelivered=True) == []
    # then: parked with its exception after 3 attempts
    failure.refresh_from_db()
    assert (failure.status, failure.attempts) == (DeliveryStatus.PARKED, 3)
    assert "RuntimeError: poison probe poison-c" in failure.last_error


def test_a_retry_that_succeeds_resolves_the_failure():
    # given: a failure on record for a handler that now succeeds
    event = Probed(label="healed")
    env = envelope(event)
    DeliveryFailure.objects.create(
        event_id=event.event_id,
        event_name=event.name,
        handler=APPLY,
        service="orders",
        envelope=env,
        attempts=2,
    )
    # when
    handle(env, service="orders", redelivered=True)
    # then
    failure = DeliveryFailure.objects.get()
    assert failure.status == DeliveryStatus.RESOLVED and failure.resolved_at is not None
    assert groups("probe") == 1


def test_a_failure_recorded_after_a_concurrent_success_is_resolved_by_the_next_copy():
    # given: one copy applied the event, another recorded a failure afterwards
    event = Probed(label="raced")
    env = envelope(event)
    handle(env, service="orders", redelivered=False)
    DeliveryFailure.objects.create(
        event_id=event.event_id,
        event_name=event.name,
        handler=APPLY,
        service="orders",
        envelope=env,
        attempts=1,
        status=DeliveryStatus.RETRYING,
    )
    # when: its retry arrives (the inbox says the handler has applied it)
    assert handle(env, service="orders", redelivered=True) == []
    # then: the failure is closed and the effect stays applied once
    assert DeliveryFailure.objects.get().status == DeliveryStatus.RESOLVED
    assert groups("probe") == 1


def test_a_message_that_cannot_be_decoded_is_parked_at_once():
    env = {"event_id": str(uuid.uuid4()), "name": "tests.Unknown", "version": 9, "payload": {}}
    assert handle(env, service="orders", redelivered=False) == []
    failure = DeliveryFailure.objects.get()
    assert (failure.handler, failure.status, failure.attempts) == (
        DECODE_HANDLER,
        DeliveryStatus.PARKED,
        1,
    )
    assert "unknown event tests.Unknown v9" in failure.last_error


def test_copy_service_reads_the_stamped_queue_then_the_routing_key(settings):
    prefix = settings.SEAMS_EVENTS_PREFIX
    stamped = SimpleNamespace(**{QUEUE_HEADER: f"{prefix}.payments"}, delivery_info={})
    direct = SimpleNamespace(delivery_info={"routing_key": f"{prefix}.orders"})
    fanned = SimpleNamespace(delivery_info={"routing_key": "tests.Probed"})
    foreign = SimpleNamespace(delivery_info={"routing_key": "other.orders"})
    assert copy_service(stamped) == "payments"
    assert copy_service(direct) == "orders"
    assert copy_service(fanned) is None
    assert copy_service(foreign) is None


@pytest.mark.parametrize(
    "broker",
    [
        pytest.param("rabbitmq", marks=pytest.mark.rabbitmq),
        pytest.param("redis", marks=pytest.mark.redis),
    ],
)
def test_a_service_queue_stamps_each_message_with_its_name(broker, broker_prefix):
    url = getattr(SERVICES, broker)
    received: list[dict] = []
    with Connection(url) as conn:
        channel = conn.channel()
        declare_topology(channel)
        Producer(channel, exchange=exchange()).publish(
            {"hello": 1}, routing_key="tests.Probed", serializer="json"
        )
        queue = service_queue("payments")
        assert queue is not None
        with conn.Consumer(
            [queue], callbacks=[lambda body, message: received.append(message.headers)]
        ) as consumer:
            consumer.consume()
            conn.drain_events(timeout=5)
    assert received[0][QUEUE_HEADER] == f"{broker_prefix}.payments"
