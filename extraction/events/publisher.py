"""Hand a batch of event messages to the broker and learn which ones it accepted.

RabbitMQ: the channel is in confirm mode and a whole batch is published before
waiting, once, for the broker's acks (a window of outstanding confirms). Waiting
after every message caps a publisher near 1,500 msg/s here; waiting per batch
keeps the guarantee — a row is marked published only after the broker confirmed
its (persistent) message — at a fraction of the cost.

Other transports (Redis): kombu's producer. Redis answers each push before the
next is sent, which is the confirmation this transport offers.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import amqp
from kombu import Connection, Producer
from kombu.exceptions import OperationalError

from extraction.events.routing import declare_topology, exchange


class BrokerUnavailable(Exception):
    """The broker could not be reached or the connection broke: retry the batch later."""


@dataclass(frozen=True)
class Outgoing:
    key: int  # the outbox row id
    routing_key: str
    body: bytes
    headers: dict[str, Any]
    message_id: str


class Publisher(Protocol):
    def publish_batch(self, messages: Sequence[Outgoing]) -> dict[int, str]:
        """Publish ``messages``; returns the keys the broker refused, with the reason."""
        ...

    def close(self) -> None: ...


CONTENT = {"content_type": "application/json", "content_encoding": "utf-8"}


def open_publisher(url: str, *, confirm_timeout: float = 30.0) -> Publisher:
    connection = Connection(url, connect_timeout=5)
    errors = (
        *connection.connection_errors,
        *connection.channel_errors,
        OperationalError,
        OSError,
    )
    try:
        connection.ensure_connection(max_retries=1)
        channel = connection.channel()
        declare_topology(channel)
        if connection.transport.driver_type == "amqp":
            return AmqpConfirmPublisher(connection, channel, errors, confirm_timeout)
        return KombuPublisher(connection, channel, errors)
    except errors as exc:
        connection.release()
        raise BrokerUnavailable(f"{type(exc).__name__}: {exc}") from exc


class AmqpConfirmPublisher:
    """py-amqp channel in confirm mode, one wait per batch."""

    def __init__(
        self,
        connection: Connection,
        channel: Any,
        errors: tuple[type[BaseException], ...],
        timeout: float,
    ) -> None:
        self.connection = connection
        self.channel = channel
        self.errors = errors
        self.timeout = timeout
        self.exchange = exchange().name
        channel.confirm_select()
        channel.events["basic_ack"].add(self._on_ack)
        channel.events["basic_nack"].add(self._on_nack)
        self._seq = 0  # the broker numbers confirms 1, 2, … per channel
        self._unconfirmed: dict[int, int] = {}  # sequence number → key
        self._refused: dict[int, str] = {}

    def _settle(self, delivery_tag: int, multiple: bool, refused: bool) -> None:
        tags = [t for t in self._unconfirmed if t <= delivery_tag] if multiple else [delivery_tag]
        for tag in tags:
            key = self._unconfirmed.pop(tag, None)
            if key is not None and refused:
                self._refused[key] = "the broker refused the message (basic.nack)"

    def _on_ack(self, delivery_tag: int, multiple: bool) -> None:
        self._settle(delivery_tag, multiple, refused=False)

    def _on_nack(self, delivery_tag: int, multiple: bool) -> None:
        self._settle(delivery_tag, multiple, refused=True)

    def publish_batch(self, messages: Sequence[Outgoing]) -> dict[int, str]:
        self._refused = {}
        try:
            for m in messages:
                message = amqp.Message(
                    m.body,
                    application_headers=m.headers,
                    delivery_mode=2,  # persistent: survives a broker restart
                    correlation_id=m.message_id,
                    priority=0,
                    **CONTENT,
                )
                self.channel.basic_publish(
                    message, exchange=self.exchange, routing_key=m.routing_key
                )
                self._seq += 1
                self._unconfirmed[self._seq] = m.key
            deadline = time.monotonic() + self.timeout
            while self._unconfirmed:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise BrokerUnavailable(
                        f"{len(self._unconfirmed)} message(s) unconfirmed after {self.timeout}s"
                    )
                try:
                    self.connection.drain_events(timeout=remaining)
                except TimeoutError:
                    continue
        except self.errors as exc:
            raise BrokerUnavailable(f"{type(exc).__name__}: {exc}") from exc
        return self._refused

    def close(self) -> None:
        self.connection.release()


class KombuPublisher:
    """Any kombu transport; each publish returns once the broker has the message."""

    def __init__(
        self, connection: Connection, channel: Any, errors: tuple[type[BaseException], ...]
    ) -> None:
        self.connection = connection
        self.errors = errors
        self.producer = Producer(channel, exchange=exchange(), auto_declare=False)

    def publish_batch(self, messages: Sequence[Outgoing]) -> dict[int, str]:
        try:
            for m in messages:
                self.producer.publish(
                    m.body,
                    routing_key=m.routing_key,
                    headers=m.headers,
                    delivery_mode=2,
                    correlation_id=m.message_id,
                    retry=False,
                    **CONTENT,
                )
        except self.errors as exc:
            raise BrokerUnavailable(f"{type(exc).__name__}: {exc}") from exc
        return {}

    def close(self) -> None:
        self.connection.release()
