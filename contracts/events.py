"""Domain events: the ``Event`` base, ``publish`` and ``subscribe``.

Apps publish and subscribe here; they never see how an event travels. The
``extraction`` app installs the bus (outbox, relay, inbox) when Django starts.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, ClassVar, Protocol, TypeVar
from uuid import UUID, uuid4

E = TypeVar("E", bound="Event")


@dataclasses.dataclass(frozen=True, kw_only=True)
class Event:
    """Base of every domain event.

    Subclasses declare ``name`` (``"<app>.<PastTense>"``) and ``version``; the pair
    is unique and is how a consumer finds the class again. ``aggregate_id``
    identifies the entity the event is about (ordering: see docs/events.md).
    """

    name: ClassVar[str] = ""
    version: ClassVar[int] = 1
    # The field naming the entity the event is about (an order, a user…).
    aggregate_field: ClassVar[str] = "event_id"
    _registry: ClassVar[dict[tuple[str, int], type[Event]]] = {}

    event_id: UUID = dataclasses.field(default_factory=uuid4)
    occurred_at: datetime = dataclasses.field(default_factory=lambda: datetime.now(UTC))

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if not cls.__dict__.get("name"):
            return  # an abstract intermediate class
        key = (cls.name, cls.version)
        other = Event._registry.get(key)
        if other is not None and other.__qualname__ != cls.__qualname__:
            raise TypeError(f"event {key} is declared by {other.__qualname__} already")
        Event._registry[key] = cls

    @property
    def aggregate_id(self) -> str:
        """The id of the entity this event is about (the ``aggregate_field``)."""
        return str(getattr(self, self.aggregate_field))

    @classmethod
    def lookup(cls, name: str, version: int) -> type[Event]:
        try:
            return cls._registry[(name, version)]
        except KeyError:
            raise LookupError(f"unknown event {name} v{version}") from None

    @classmethod
    def declared(cls) -> tuple[type[Event], ...]:
        return tuple(cls._registry.values())


def event(cls: type[E]) -> type[E]:
    """Declare an event class: a frozen, keyword-only dataclass.

    Not slotted: ``slots=True`` rebuilds the class, which breaks the zero-argument
    ``super()`` in ``Event.__init_subclass__``.
    """
    made: type[E] = dataclasses.dataclass(frozen=True, kw_only=True)(cls)
    return made


Handler = Callable[[Any], None]


@dataclasses.dataclass(frozen=True)
class Subscription:
    """``handler`` runs for every ``event_type``; ``key`` names it in the inbox."""

    event_type: type[Event]
    handler: Handler
    key: str
    service: str


class EventBus(Protocol):
    def publish(self, event: Event) -> None: ...


_subscriptions: list[Subscription] = []
_bus: EventBus | None = None


def install_bus(bus: EventBus) -> None:
    """Called once by the process's composition (the ``extraction`` app)."""
    global _bus
    _bus = bus


def publish(event: Event) -> None:
    """Record ``event`` in the current transaction; it is delivered after commit."""
    if _bus is None:
        raise RuntimeError("no event bus is installed: is the 'extraction' app installed?")
    _bus.publish(event)


def subscribe(
    event_type: type[E], *, service: str, key: str | None = None
) -> Callable[[Callable[[E], None]], Callable[[E], None]]:
    """Register the decorated function as a handler of ``event_type``.

    ``service`` is the app label of the subscriber, which decides the queue the
    event is routed to when the app runs as its own service. ``key`` names the
    handler in the inbox (default: its module and qualified name); one function
    subscribed for several services needs one key per service.
    """

    def register(handler: Callable[[E], None]) -> Callable[[E], None]:
        name = key or f"{handler.__module__}.{handler.__qualname__}"
        if any(s.key == name and s.event_type is event_type for s in _subscriptions):
            return handler
        _subscriptions.append(Subscription(event_type, handler, name, service))
        return handler

    return register


def subscriptions(event_type: type[Event] | None = None) -> tuple[Subscription, ...]:
    if event_type is None:
        return tuple(_subscriptions)
    return tuple(s for s in _subscriptions if s.event_type is event_type)


def unsubscribe(key: str) -> None:
    """Remove a handler (used by tests that register throwaway handlers)."""
    _subscriptions[:] = [s for s in _subscriptions if s.key != key]
