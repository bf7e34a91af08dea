"""Output serializers that build their fields once per class instead of once per object.

DRF builds a ``ModelSerializer``'s fields from the model's metadata every time a
serializer is instantiated: for an API that renders one object per request, that
is about half a millisecond of pure Python on every response, more than the
query that loaded the object. An output-only serializer whose fields read
neither ``context`` nor per-instance state can share one bound set of fields
between all its instances, and each response then only runs
``to_representation``.
"""

from __future__ import annotations

from functools import cached_property
from typing import Any

from rest_framework import serializers

# No docstrings on these classes: drf-spectacular would show them as the
# description of every serializer that has none of its own.


class FieldsBuiltOnceMixin:
    # Shares the bound fields of the first instance with every later one. Only for
    # serializers that render (``Serializer(instance).data``), never validate, and
    # whose fields and ``SerializerMethodField`` methods use nothing but the object
    # they render: the shared fields stay bound to the first instance, so its
    # ``context`` is the one they would see.

    @cached_property
    def fields(self) -> Any:
        cls = type(self)
        built = cls.__dict__.get("_fields_built_once")
        if built is None:
            built = super().fields  # type: ignore[misc]
            cls._fields_built_once = built  # type: ignore[attr-defined]
        return built


class OutputModelSerializer(FieldsBuiltOnceMixin, serializers.ModelSerializer):  # type: ignore[type-arg]
    # A read-only ``ModelSerializer`` for responses, its fields built once per class.

    def to_internal_value(self, data: Any) -> Any:
        raise TypeError(f"{type(self).__name__} renders responses; it does not parse input")
