"""Query-string filters of the catalog and order lists (django-filter)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import django_filters
from django.db.models import Q, QuerySet
from drf_spectacular.utils import extend_schema_field

from apikit.drf.filters import UtcIsoDateTimeFilter
from apps.orders.models import Order, Product

MAX_PRICE = Decimal("9999999999.99")  # what the price column holds


@extend_schema_field({"type": "number", "minimum": 0, "maximum": float(MAX_PRICE)})
class PriceBoundFilter(django_filters.NumberFilter):
    """A price bound, within what a price can be (the schema states the same bounds)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(min_value=Decimal(0), max_value=MAX_PRICE, **kwargs)


class ProductFilter(django_filters.FilterSet):
    active = django_filters.BooleanFilter(
        help_text="Staff only see inactive products; customers always get active ones."
    )
    sku = django_filters.CharFilter(lookup_expr="iexact")
    search = django_filters.CharFilter(method="filter_search", help_text="Part of name or SKU.")
    price_min = PriceBoundFilter(field_name="price", lookup_expr="gte")
    price_max = PriceBoundFilter(field_name="price", lookup_expr="lte")
    currency = django_filters.CharFilter(lookup_expr="iexact")
    in_stock = django_filters.BooleanFilter(method="filter_in_stock")

    class Meta:
        model = Product
        fields = ["active", "sku", "currency"]

    def filter_search(
        self, queryset: QuerySet[Product], name: str, value: str
    ) -> QuerySet[Product]:
        return queryset.filter(Q(name__icontains=value) | Q(sku__icontains=value))

    def filter_in_stock(
        self, queryset: QuerySet[Product], name: str, value: bool
    ) -> QuerySet[Product]:
        return queryset.filter(stock__gt=0) if value else queryset.filter(stock=0)


class OrderFilter(django_filters.FilterSet):
    status = django_filters.MultipleChoiceFilter(choices=Order.Status.choices)
    created_after = UtcIsoDateTimeFilter(field_name="created_at", lookup_expr="gte")
    created_before = UtcIsoDateTimeFilter(field_name="created_at", lookup_expr="lt")
    customer_id = django_filters.UUIDFilter(help_text="Staff only: the orders of one customer.")

    class Meta:
        model = Order
        fields = ["status", "customer_id"]
