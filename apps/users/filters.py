"""Filters of the staff list of accounts (django-filter)."""

from __future__ import annotations

import django_filters
from django.db.models import Q, QuerySet

from apikit.drf.filters import UtcIsoDateTimeFilter
from apps.users.models import User


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
