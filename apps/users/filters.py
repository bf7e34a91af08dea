"""Filters of the staff list of accounts (django-filter)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import django_filters
from django import forms
from django.db.models import Q, QuerySet
from django_filters.fields import IsoDateTimeField

from apps.users.models import User


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
    field_class = UtcIsoDateTimeField


class UserFilter(django_filters.FilterSet):
    is_active = django_filters.BooleanFilter()
    is_staff = django_filters.BooleanFilter()
    search = django_filters.CharFilter(
        method="filter_search", help_text="Part of the email address or the full name."
    )
    joined_after = UtcIsoDateTimeFilter(field_name="date_joined", lookup_expr="gte")
    joined_before = UtcIsoDateTimeFilter(field_name="date_joined", lookup_expr="lt")

    class Meta:
        model = User
        fields = ["is_active", "is_staff"]

    def filter_search(self, queryset: QuerySet[User], name: str, value: str) -> QuerySet[User]:
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(email__icontains=value) | Q(full_name__icontains=value))
