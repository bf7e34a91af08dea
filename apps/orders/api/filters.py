"""Query-string filters of the catalog and order lists (django-filter)."""

from __future__ import annotations

import django_filters
from django.db.models import Q, QuerySet

from apikit.filters import UtcIsoDateTimeFilter
from apps.orders.models import Order, Product


class ProductFilter(django_filters.FilterSet):
    active = django_filters.BooleanFilter(
        help_text="Staff only see inactive products; customers always get active ones."
    )
    sku = django_filters.CharFilter(lookup_expr="iexact")
    search = django_filters.CharFilter(method="filter_search", help_text="Part of name or SKU.")
    price_min = django_filters.NumberFilter(field_name="price", lookup_expr="gte")
    price_max = django_filters.NumberFilter(field_name="price", lookup_expr="lte")
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
