"""The consumer's edge cases on a real RabbitMQ and a real worker.

- A message on a service queue that carries no valid envelope is parked as a
  delivery failure of the ``(envelope)`` handler, visible in the admin and in
  ``manage.py outbox status``, not acknowledged silently.
- While the worker's database is down, it hands messages back after a growing
  backoff instead of spinning on them; once the database is back the event is
  applied, once.
"""

from __future__ import annotations

import io
import json
import time
import uuid
from urllib.parse import urlsplit

import pytest
from django.core.management import call_command
from django.db import connection
from django.urls import reverse
from kombu import Connection, Producer

from contracts import codec
from extraction.events.consumer import ENVELOPE_HANDLER, INVALID_EVENT_NAME
from extraction.events.routing import CONSUME_TASK, declare_topology, envelope_of, queue_name
from extraction.models import DeliveryFailure, DeliveryStatus
from extraction.tasks import send_to_service
from tests.extraction.conftest import wait_until
from tests.extraction.probe_handlers import OrdersProbed
from tests.extraction.tcp_proxy import TcpProxy
from tests.extraction.test_faults import effects_by_label
from tests.factories.users import SuperuserFactory, sign_in_to_admin

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.rabbitmq,
    pytest.mark.django_db(transaction=True),
    pytest.mark.timeout(120),
]


def task_message_of(args: list, task: str = CONSUME_TASK) -> tuple[bytes, dict]:
    """A Celery protocol-2 message calling ``task`` with ``args``, as any client would send."""
    task_id = str(uuid.uuid4())
    body = json.dumps([args, {}, {"callbacks": None, "errbacks": None, "chain": None}])
    headers = {"lang": "py", "task": task, "id": task_id, "root_id": task_id, "retries": 0}
    return body.encode(), headers


def publish_raw(url: str, body: bytes, headers: dict | None, service: str = "orders") -> None:
    with Connection(url) as conn:
        channel = conn.channel()
        declare_topology(channel)
        Producer(channel).publish(
            body,
            exchange="",
            routing_key=queue_name(service),
            headers=headers or {},
            content_type="application/json",
            content_encoding="utf-8",
        )


def test_messages_without_a_valid_envelope_are_parked_and_shown(rabbitmq, processes, client):
    # given: a worker consuming the service queues
    processes.worker(rabbitmq)
    not_a_task = json.dumps({"hello": "world"}).encode()
    no_event_id = task_message_of([{"name": "tests.OrdersProbed", "version": 1, "payload": {}}])
    not_an_object = task_message_of(["just a string"])
    unknown_task = task_message_of([{}], task="seams.no_such_task")
    # when: four unreadable messages land on the orders queue
    publish_raw(rabbitmq, not_a_task, None)
    for body, headers in (no_event_id, not_an_object, unknown_task):
        publish_raw(rabbitmq, body, headers)
    # then: each is parked, once, as an invalid envelope of the orders service
    wait_until(
        lambda: DeliveryFailure.objects.filter(handler=ENVELOPE_HANDLER).count() == 4,
        timeout=60,
        what="four parked invalid messages",
    )
    failures = DeliveryFailure.objects.filter(handler=ENVELOPE_HANDLER)
    assert {(f.status, f.service, f.event_name) for f in failures} == {
        (DeliveryStatus.PARKED, "orders", INVALID_EVENT_NAME),
        (DeliveryStatus.PARKED, "orders", "tests.OrdersProbed"),
    }
    assert {"hello": "world"} in [f.envelope for f in failures]
    reasons = " ".join(f.last_error for f in failures)
    assert "'event_id' is missing" in reasons and "unknown task" in reasons
    # and: operators see them
    out = io.StringIO()
    call_command("outbox", "status", stdout=out)
    assert ENVELOPE_HANDLER in out.getvalue() and "parked 4" in out.getvalue()
    sign_in_to_admin(client, SuperuserFactory())
    page = client.get(reverse("admin:extraction_deliveryfailure_changelist"))
    assert page.content.decode().count(INVALID_EVENT_NAME) >= 3


def test_a_worker_backs_off_while_its_database_is_down(rabbitmq, processes):
    # given: a worker whose database connections go through a proxy to a dead port
    db = connection.settings_dict
    proxy = TcpProxy(1)  # port 1: nothing listens there, the database is "down"
    proxy.open()
    url = f"postgres://{db['USER']}@127.0.0.1:{proxy.port}/{db['NAME']}"
    with Connection(rabbitmq) as conn:
        declare_topology(conn.channel())
    try:
        processes.worker(
            rabbitmq,
            DATABASE_URL=url,
            CONN_MAX_AGE="0",
            SEAMS_CONSUMER_DB_BACKOFF_BASE_SECONDS="0.5",
            SEAMS_CONSUMER_DB_BACKOFF_MAX_SECONDS="2",
        )
        event = OrdersProbed(label="db-down")
        send_to_service(
            envelope_of(
                event_id=str(event.event_id),
                name=event.name,
                version=event.version,
                aggregate_id=event.aggregate_id,
                payload=codec.to_jsonable(event),
            ),
            service="orders",
        )
        # when: the database stays down for a while
        wait_until(lambda: proxy.connections >= 1, timeout=40, what="the worker to try")
        first = proxy.connections
        time.sleep(8)
        attempts = proxy.connections - first
        # then: a handful of attempts (0.25-0.5 s, 0.5-1 s, then 1-2 s apart; a
        # loaded machine adds a few reconnects), not a spin (hundreds without backoff)
        assert 2 <= attempts <= 30, f"{attempts} connection attempts in 8 s"
        # when: the database comes back
        proxy.retarget(urlsplit(f"//{db['HOST']}:{db['PORT']}").port or 5432)
        # then: the event is applied, once
        wait_until(
            lambda: effects_by_label("orders") == {"db-down": 1},
            timeout=30,
            what="the event applied after the outage",
        )
        assert processes.log_of(processes.running[0][0]).count("database unavailable") >= 2
    finally:
        proxy.close()
