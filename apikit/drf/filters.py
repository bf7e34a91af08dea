"""django-filter pieces that keep bad query strings a 400 instead of a 500, or a guess."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import django_filters
from django import forms
from django_filters.fields import IsoDateTimeField
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework.exceptions import ValidationError


class UtcIsoDateTimeField(IsoDateTimeField):
    """An ISO 8601 instant, converted to UTC before it reaches the database.

    Python accepts offsets up to ±23:59 that PostgreSQL refuses with an error (a
    500), and an instant near year 1 or 9999 may not exist in UTC at all: both
    are bad input, so both are a 400.
    """

    def to_python(self, value: Any) -> datetime | None:
        parsed: datetime | None = super().to_python(value)
        if parsed is None:
            return None
        try:
            return parsed.astimezone(UTC)
        except OverflowError:
            raise forms.ValidationError("This date is out of range.", code="invalid") from None


class UtcIsoDateTimeFilter(django_filters.IsoDateTimeFilter):
    """``IsoDateTimeFilter`` whose value is normalised to UTC (see the field)."""

    field_class = UtcIsoDateTimeField


class StrictDjangoFilterBackend(DjangoFilterBackend):
    """django-filter, refusing query strings the schema does not allow instead of guessing.

    django-filter takes the last of repeated values, ignores an empty one and reads
    any unknown word as "no filter" for a boolean. A generated client relies on the
    schema, where each of these is invalid: here they are a 400 in the shared shape.
    """

    def filter_queryset(self, request: Any, queryset: Any, view: Any) -> Any:
        filterset_class = self.get_filterset_class(view, queryset)
        if filterset_class is not None:
            errors = query_errors(request.query_params, filterset_class.base_filters)
            if errors:
                raise ValidationError(errors)
        return super().filter_queryset(request, queryset, view)


def query_errors(params: Any, filters: dict[str, django_filters.Filter]) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    for name, declared in filters.items():
        values = params.getlist(name)
        if not values:
            continue
        if len(values) > 1 and not isinstance(declared, django_filters.MultipleChoiceFilter):
            errors[name] = ["Give this parameter once."]
        elif any(value == "" for value in values):
            errors[name] = ["An empty value is not allowed."]
        elif isinstance(declared, django_filters.BooleanFilter) and values[0] not in (
            "true",
            "false",
        ):
            errors[name] = ["Use true or false."]
    return errors
