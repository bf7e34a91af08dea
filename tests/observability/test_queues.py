"""A service queue that fills while nothing consumes it shows in ``outbox status`` and metrics."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import call_command
from kombu import Connection, Producer

from extraction.events.routing import declare_topology, exchange, queue_name
from extraction.observability import broker
from tests.extraction.conftest import wait_until
from tests.observability.scrape import value

pytestmark = [pytest.mark.rabbitmq, pytest.mark.postgres, pytest.mark.django_db]


@pytest.fixture
def orders_queue_with_one_message(rabbitmq):
    # given: the topology a worker declares, one PaymentCaptured waiting, no consumer
    with Connection(rabbitmq) as connection:
        channel = connection.channel()
        declare_topology(channel)
        Producer(channel, exchange=exchange()).publish(
            {"probe": True}, routing_key="payments.PaymentCaptured"
        )
    wait_until(
        lambda: broker.queue_stats(rabbitmq, services=["orders"])[0].messages == 1,
        timeout=10,
        what="the message to reach the orders queue",
    )
    return queue_name("orders")


def test_outbox_status_shows_waiting_messages_and_missing_consumers(
    orders_queue_with_one_message,
):
    text, raw = StringIO(), StringIO()
    call_command("outbox", "status", stdout=text)
    call_command("outbox", "status", "--json", stdout=raw)
    assert (
        f"{orders_queue_with_one_message}: 1 waiting, 0 consumer(s)  <- nothing consumes it"
        in text.getvalue()
    )
    assert json.loads(raw.getvalue())["queues"]["orders"] == {
        "queue": orders_queue_with_one_message,
        "exists": True,
        "messages": 1,
        "consumers": 0,
    }


def test_metrics_show_the_queue_filling_with_no_consumer(
    orders_queue_with_one_message, client, settings
):
    settings.SEAMS_METRICS_TOKEN = "t"
    text = client.get("/metrics", HTTP_AUTHORIZATION="Bearer t").content.decode()
    assert value(text, "seams_event_queue_messages", service="orders") == 1
    assert value(text, "seams_event_queue_consumers", service="orders") == 0
    assert value(text, "seams_broker_up") == 1
