"""Broker topology and the wire format of an event message.

One durable topic exchange, ``<prefix>.events``; each consuming service (an app
label) has its own durable queue ``<prefix>.<service>``, bound with one routing
key per event name that the service subscribes to. A published event therefore
lands once in the queue of every subscribing service, and nowhere else.

A message is a Celery task message (protocol 2) for the task
``seams.events.consume`` whose single argument is the event's envelope, so a
plain ``celery worker`` runs the handlers. The relay builds these messages itself
(no per-message ``apply_async``) so it can publish a whole batch and wait for
the broker's confirms once.
"""

from __future__ import annotations

import json
import socket
from collections.abc import Callable, Iterable
from datetime import datetime
from functools import partial
from typing import Any

from django.conf import settings
from kombu import Exchange, Queue, binding
from kombu.message import Message

from contracts.events import subscriptions
from contracts.subscriptions import MANIFEST, consumed_event_names

CONSUME_TASK = "seams.events.consume"
# Header stamped on each message as it is consumed, naming the queue it came
# from: the same message lands in several service queues, and only the queue
# tells which service's handlers this copy is for.
QUEUE_HEADER = "seams_queue"


def prefix() -> str:
    return str(settings.SEAMS_EVENTS_PREFIX)


def exchange() -> Exchange:
    return Exchange(f"{prefix()}.events", type="topic", durable=True, auto_delete=False)


def queue_name(service: str) -> str:
    return f"{prefix()}.{service}"


def service_of_queue(name: str) -> str | None:
    head, _, service = name.rpartition(".")
    return service if head == prefix() and service else None


def task_queue_name(service: str) -> str:
    """The queue of ``service``'s own Celery tasks (not events): ``<prefix>.<service>.tasks``."""
    return f"{prefix()}.{service}.tasks"


def tasks_exchange() -> Exchange:
    return Exchange(f"{prefix()}.tasks", type="direct", durable=True, auto_delete=False)


def subscribed_event_names(service: str) -> list[str]:
    """The events ``service`` consumes: the manifest, plus handlers subscribed at run time.

    The manifest holds every app's subscriptions whether or not the app runs in
    this process; the handlers loaded here add test and benchmark probes
    (``SEAMS_EXTRA_HANDLER_MODULES``), which the manifest does not list.
    """
    local = {s.event_type.name for s in subscriptions() if s.service == service}
    return sorted(consumed_event_names(service) | local)


def consuming_services() -> list[str]:
    """Every service that consumes at least one event, installed here or not."""
    services = set(MANIFEST) | {s.service for s in subscriptions()}
    return sorted(s for s in services if subscribed_event_names(s))


class ServiceQueue(Queue):
    """A service's queue; every message consumed from it carries the queue's name."""

    def consume(
        self,
        consumer_tag: str = "",
        callback: Callable[[Any], Any] | None = None,
        no_ack: bool | None = None,
        nowait: bool = False,
        on_cancel: Callable[[str], Any] | None = None,
    ) -> Any:
        if callback is not None:
            callback = partial(_stamped, self.name, callback)
        return super().consume(consumer_tag, callback, no_ack, nowait, on_cancel)


def _stamped(queue: str, callback: Callable[[Any], Any], raw: Any) -> Any:
    # kombu hands over a kombu Message (virtual transports such as Redis) or
    # py-amqp's raw message, whose application headers become the kombu
    # Message's headers (and then Celery's task.request attributes).
    if isinstance(raw, Message):
        headers = raw.headers
    else:
        headers = raw.properties.setdefault("application_headers", {})
    headers[QUEUE_HEADER] = queue
    return callback(raw)


def service_queue(service: str) -> ServiceQueue | None:
    """The queue of ``service``, bound to the events it subscribes to (None if none)."""
    names = subscribed_event_names(service)
    if not names:
        return None
    ex = exchange()
    queue = ServiceQueue(
        queue_name(service),
        bindings=[binding(ex, routing_key=name) for name in names],
        durable=True,
        auto_delete=False,
    )
    # kombu drops the exchange of a queue with bindings, and Celery then gives
    # it its default exchange and routing key: a task sent to the default queue
    # would land in every event queue too. An explicit exchange (the events
    # exchange, with a key the bindings already hold) keeps Celery's hands off.
    queue.exchange = ex
    queue.routing_key = names[0]
    return queue


def task_queue(service: str) -> Queue:
    """The queue of ``service``'s Celery tasks, bound to the tasks exchange by its name."""
    name = task_queue_name(service)
    return Queue(name, tasks_exchange(), routing_key=name, durable=True, auto_delete=False)


def local_queues(services: Iterable[str] | None = None) -> list[ServiceQueue]:
    """The queues of the services of this process (``SEAMS_SERVICES``) that subscribe."""
    chosen = settings.SEAMS_SERVICES if services is None else services
    return [q for q in (service_queue(s) for s in chosen) if q is not None]


def declare_topology(channel: Any, services: Iterable[str] | None = None) -> None:
    """Declare the exchange and the queues of ``services`` (default: every consumer).

    Declaring is idempotent. Publishing to a topic exchange drops what no queue is
    bound to, so the relay declares the queue of every consuming service in the
    manifest — installed in this process or not, started yet or not — before its
    first publish; a service that starts later finds its events waiting.
    """
    exchange()(channel).declare()
    chosen = consuming_services() if services is None else services
    for queue in local_queues(chosen):
        queue(channel).declare()


def envelope_of(
    *,
    event_id: str,
    name: str,
    version: int,
    aggregate_id: str,
    payload: Any,
    headers: dict[str, str] | None = None,
) -> dict[str, Any]:
    envelope = {
        "event_id": event_id,
        "name": name,
        "version": version,
        "aggregate_id": aggregate_id,
        "payload": payload,
    }
    if headers:
        # The publisher's correlation id and trace context (see
        # extraction.observability.propagation), continued by the consumer.
        envelope["headers"] = headers
    return envelope


_ORIGIN = f"seams-relay@{socket.gethostname()}"
_EMBED = {"callbacks": None, "errbacks": None, "chain": None, "chord": None}


def task_message(
    envelope: dict[str, Any],
    *,
    task_id: str,
    kwargs: dict[str, Any] | None = None,
    eta: datetime | None = None,
) -> tuple[bytes, dict[str, Any]]:
    """The body and headers of a Celery protocol-2 message running the consume task."""
    body = json.dumps([[envelope], kwargs or {}, _EMBED], separators=(",", ":")).encode()
    headers = {
        "lang": "py",
        "task": CONSUME_TASK,
        "id": task_id,
        "shadow": None,
        "eta": eta.isoformat() if eta else None,
        "expires": None,
        "group": None,
        "group_index": None,
        "retries": 0,
        "timelimit": [None, None],
        "root_id": task_id,
        "parent_id": None,
        "argsrepr": f"({envelope['name']} {envelope['event_id']},)",
        "kwargsrepr": repr(kwargs or {}),
        "origin": _ORIGIN,
        "ignore_result": True,
    }
    return body, headers
