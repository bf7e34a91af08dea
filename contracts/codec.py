"""The wire codec for DTOs, events and contract arguments, driven by type hints.

pydantic builds (and caches) one ``TypeAdapter`` per type, so no DTO has a
hand-written encoder: a frozen dataclass of JSON-friendly fields round-trips
as it is declared.
"""

from __future__ import annotations

from typing import Any, TypeVar

from pydantic import TypeAdapter

T = TypeVar("T")


_adapters: dict[Any, TypeAdapter[Any]] = {}


def _adapter(tp: Any) -> TypeAdapter[Any]:
    adapter = _adapters.get(tp)
    if adapter is None:
        adapter = _adapters.setdefault(tp, TypeAdapter(tp))
    return adapter


def to_jsonable(value: Any, tp: Any = None) -> Any:
    """``value`` as plain JSON types (str, int, float, bool, None, list, dict)."""
    adapter = _adapter(tp if tp is not None else type(value))
    return adapter.dump_python(value, mode="json")


def from_jsonable(tp: type[T], data: Any) -> T:
    """Validate ``data`` (plain JSON types) into an instance of ``tp``."""
    result: T = _adapter(tp).validate_python(data)
    return result


def dumps(value: Any, tp: Any = None) -> bytes:
    return _adapter(tp if tp is not None else type(value)).dump_json(value)


def loads(tp: type[T], raw: bytes | str) -> T:
    result: T = _adapter(tp).validate_json(raw)
    return result
