"""Every DTO and event round-trips through the wire codec unchanged."""

from __future__ import annotations

import dataclasses
import enum
import types
import typing
from datetime import UTC, date, datetime
from decimal import Decimal
from uuid import UUID, uuid4

import pytest

import contracts.orders
import contracts.payments
import contracts.users
from contracts import codec
from contracts.events import Event

MODULES = (contracts.users, contracts.orders, contracts.payments)


def sample(tp: typing.Any) -> typing.Any:
    """A non-trivial value of type ``tp`` (DTOs and events are built recursively)."""
    origin = typing.get_origin(tp)
    if origin in (typing.Union, types.UnionType):
        return sample(next(a for a in typing.get_args(tp) if a is not type(None)))
    if origin is tuple:
        return (sample(typing.get_args(tp)[0]),) * 2
    if dataclasses.is_dataclass(tp):
        hints = typing.get_type_hints(tp)
        return tp(**{f.name: sample(hints[f.name]) for f in dataclasses.fields(tp) if f.init})
    if isinstance(tp, type) and issubclass(tp, enum.Enum):
        return list(tp)[-1]
    values = {
        str: "välue ✓",
        int: 7,
        bool: True,
        Decimal: Decimal("1234.50"),
        UUID: uuid4(),
        datetime: datetime(2026, 11, 24, 12, 30, 1, 123456, tzinfo=UTC),
        date: date(2026, 11, 24),
    }
    return values[tp]


def wire_types():
    for module in MODULES:
        for value in vars(module).values():
            if dataclasses.is_dataclass(value) and value.__module__ == module.__name__:
                yield value


@pytest.mark.parametrize("tp", list(wire_types()), ids=lambda t: t.__qualname__)
def test_round_trip(tp):
    original = sample(tp)
    assert codec.loads(tp, codec.dumps(original)) == original
    assert codec.from_jsonable(tp, codec.to_jsonable(original)) == original


def test_every_event_is_registered_by_name_and_version():
    events = [t for t in wire_types() if issubclass(t, Event)]
    assert len(events) >= 7
    for event_type in events:
        assert Event.lookup(event_type.name, event_type.version) is event_type


def test_every_event_names_a_real_field_as_its_aggregate():
    for event_type in (t for t in wire_types() if issubclass(t, Event)):
        fields = {f.name for f in dataclasses.fields(event_type)}
        assert event_type.aggregate_field in fields - {"event_id", "occurred_at"}, event_type
        instance = sample(event_type)
        assert instance.aggregate_id == str(getattr(instance, event_type.aggregate_field))
