"""The wire codec for DTOs, events and contract arguments, driven by type hints.

pydantic builds (and caches) one ``TypeAdapter`` per type, so no DTO has a
hand-written encoder: a frozen dataclass of JSON-friendly fields round-trips
as it is declared.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any, TypeVar, get_type_hints

from pydantic import BaseModel, ConfigDict, TypeAdapter, create_model

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


class MethodCodec:
    """The wire form of one contract method: its keyword arguments and its result.

    Built once per method from its type hints: the arguments are one pydantic
    model (unknown or missing names are refused), the result its annotated type.
    """

    def __init__(self, method: Callable[..., Any]) -> None:
        hints = get_type_hints(method)
        names = [p for p in inspect.signature(method).parameters if p != "self"]
        self.names = tuple(names)
        self._expected = frozenset(names)
        self._qualname = method.__qualname__
        fields: dict[str, Any] = {name: (hints[name], ...) for name in names}
        self.arguments: type[BaseModel] = create_model(
            f"{method.__qualname__}.arguments".replace(".", "_"),
            __config__=ConfigDict(extra="forbid"),
            **fields,
        )
        self.result: TypeAdapter[Any] = _adapter(hints["return"])

    def encode_arguments(self, arguments: dict[str, Any]) -> bytes:
        """``arguments`` in wire form; a ``TypeError`` (as the call of the method itself
        would raise) when a name is unknown or missing, before anything is sent."""
        if arguments.keys() != self._expected:
            unknown = sorted(arguments.keys() - self._expected)
            missing = sorted(self._expected - arguments.keys())
            raise TypeError(
                f"{self._qualname}() got unexpected keyword arguments {unknown} "
                f"and is missing {missing}"
            )
        return self.arguments.model_construct(**arguments).model_dump_json().encode()

    def decode_arguments(self, raw: bytes | str) -> dict[str, Any]:
        """The arguments of ``raw``; ``pydantic.ValidationError`` when they do not fit."""
        model = self.arguments.model_validate_json(raw)
        return {name: getattr(model, name) for name in self.names}

    def encode_result(self, value: Any) -> bytes:
        return self.result.dump_json(value)

    def decode_result(self, raw: bytes | str) -> Any:
        return self.result.validate_json(raw)
