"""The broker's view of the services' event queues: messages waiting, consumers attached.

A queue that fills while no consumer is attached is the one failure the outbox
cannot show (the relay published; nobody reads). ``queue_stats`` asks the broker
with a passive declare, which neither creates nor changes a queue. On Redis the
consumer count is not known (always 0). kombu (and the queues' topology, which
is kombu's) is imported by the first question: a process without a broker never
asks one.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass

from django.conf import settings


@dataclass(frozen=True)
class QueueStats:
    service: str
    queue: str
    exists: bool
    messages: int
    consumers: int

    def as_dict(self) -> dict[str, object]:
        return {
            "queue": self.queue,
            "exists": self.exists,
            "messages": self.messages,
            "consumers": self.consumers,
        }


class BrokerUnreachable(Exception):
    pass


def queue_stats(
    url: str, *, services: list[str] | None = None, timeout: float = 2.0
) -> list[QueueStats]:
    """Message and consumer counts of each service's queue (``services``: every consumer)."""
    from kombu import Connection

    from extraction.events.routing import consuming_services, queue_name

    chosen = services if services is not None else consuming_services()
    result = []
    try:
        with Connection(url, connect_timeout=timeout) as connection:
            connection.ensure_connection(max_retries=1, timeout=timeout)
            for service in chosen:
                name = queue_name(service)
                channel = connection.channel()
                try:
                    _, messages, consumers = channel.queue_declare(queue=name, passive=True)
                    result.append(QueueStats(service, name, True, messages, consumers))
                except connection.channel_errors:
                    # Not declared yet: no worker of that service has ever started.
                    result.append(QueueStats(service, name, False, 0, 0))
                finally:
                    # The channel may be closed by the error already.
                    with contextlib.suppress(Exception):
                        channel.close()
    except Exception as exc:  # connection errors of any transport
        raise BrokerUnreachable(f"{type(exc).__name__}: {exc}") from exc
    return result


def local_consumer_services() -> list[str]:
    """The services of this process that consume events (whose queue it should drain)."""
    from extraction.events.routing import subscribed_event_names

    return [s for s in settings.SEAMS_SERVICES if subscribed_event_names(s)]
