"""Input serializers that take JSON types as the schema states them.

DRF converts what it can: ``123`` becomes the string ``"123"``, ``"5"`` the integer
5, ``"yes"`` a boolean, an integer a UUID. The schema promises a string, an
integer, a boolean: a client generated from it would never send the others, and
one that does gets a 400 here rather than a guess.
"""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

# Checked in order: a subclass before its base (EmailField is a CharField).
_JSON_TYPES: tuple[tuple[type[serializers.Field], type | tuple[type, ...], str], ...] = (
    (serializers.BooleanField, bool, "a boolean"),
    (serializers.IntegerField, int, "an integer"),
    (serializers.CharField, str, "a string"),
    (serializers.UUIDField, str, "a string"),
    (serializers.DecimalField, str, "a string"),
    (serializers.DateTimeField, str, "a string"),
    (serializers.ChoiceField, str, "a string"),
    (serializers.ListField, list, "an array"),
    (serializers.ListSerializer, list, "an array"),
    (serializers.BaseSerializer, dict, "an object"),
)


def _type_error(field: serializers.Field, value: Any) -> str | None:
    if value is None:
        return None if field.allow_null else "This field may not be null."
    for kind, json_type, described in _JSON_TYPES:
        if isinstance(field, kind):
            # bool is an int in Python, never in JSON.
            wrong = not isinstance(value, json_type) or (
                isinstance(value, bool) and json_type is not bool
            )
            return f"Expected {described}." if wrong else None
    return None


class StrictJSONTypesMixin:
    # Refuses a value whose JSON type is not the field's, before DRF converts it.
    # (A comment, not a docstring: the schema would show it on every serializer.)

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, dict):
            errors = {}
            for name, field in self.fields.items():  # type: ignore[attr-defined]
                if field.read_only or field.source == "*" or name not in data:
                    continue
                problem = _type_error(field, data[name])
                if problem:
                    errors[name] = [problem]
            if errors:
                raise serializers.ValidationError(errors)
        return super().to_internal_value(data)  # type: ignore[misc]
