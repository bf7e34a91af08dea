"""DTO conventions: frozen, keyword-only dataclasses of JSON-friendly types.

Allowed field types: str, int, bool, Decimal, datetime, date, UUID, Enum,
tuples of those, optional values and nested DTOs. ``dto`` is the decorator every
contract uses, so the rules live in one place.
"""

from __future__ import annotations

import dataclasses
from typing import TypeVar

T = TypeVar("T")


def dto(cls: type[T]) -> type[T]:
    """Make ``cls`` a frozen, slotted, keyword-only dataclass."""
    return dataclasses.dataclass(frozen=True, slots=True, kw_only=True)(cls)
