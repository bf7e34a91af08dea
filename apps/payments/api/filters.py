"""Filters of the payments list."""

from __future__ import annotations

import django_filters

from apikit.drf.filters import UtcIsoDateTimeFilter
from apps.payments.models import Payment


class PaymentFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=Payment.Status.choices)
    order_id = django_filters.UUIDFilter()
    created_after = UtcIsoDateTimeFilter(field_name="created_at", lookup_expr="gte")
    created_before = UtcIsoDateTimeFilter(field_name="created_at", lookup_expr="lt")

    class Meta:
        model = Payment
        fields = ["status", "order_id", "created_after", "created_before"]
