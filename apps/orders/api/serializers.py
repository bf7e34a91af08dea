"""Serializers of the orders API: input shapes to parse, output shapes to render.

Every serializer names its OpenAPI component (``ref_name``) so names stay unique
across the apps of the schema.
"""

from __future__ import annotations

from typing import Any

from django.core.validators import RegexValidator
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from apikit.drf.serializers import OutputModelSerializer
from apikit.drf.strict_input import StrictJSONTypesMixin
from apps.orders.models import Order, OrderLine, Product, sku_format
from apps.orders.services import MAX_LINES, MAX_QUANTITY

# A price as the API takes it: a string of at most 10 integer digits and 2 decimals,
# at least 0.01 (a free product could never be paid), without sign, exponent,
# spaces or leading zeros, so the schema's pattern and the server agree exactly.
PRICE_PATTERN = r"^(?:[1-9][0-9]{0,9}(?:\.[0-9]{1,2})?|0\.(?:0[1-9]|[1-9][0-9]?))$"
price_format = RegexValidator(PRICE_PATTERN, "A price such as 19.99, at least 0.01.")


@extend_schema_field({"type": "string", "format": "decimal", "pattern": PRICE_PATTERN})
class PriceField(serializers.DecimalField):
    """The product price as the API takes it (see ``PRICE_PATTERN``)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(max_digits=12, decimal_places=2, **kwargs)

    def to_internal_value(self, data: Any) -> Any:
        # The text as sent, before Decimal reads "5e2" or " 5" as a number.
        if isinstance(data, str):
            price_format(data)
        return super().to_internal_value(data)


RESTOCK_SCHEMA = {
    "type": "integer",
    "minimum": -1_000_000,
    "maximum": 1_000_000,
    "not": {"enum": [0]},
    "description": "Units to add to the stock; negative to write units off; never 0.",
}


@extend_schema_field(RESTOCK_SCHEMA)
class RestockQuantityField(serializers.IntegerField):
    """An integer in ±1,000,000 other than 0 (a restock of 0 changes nothing)."""


class ProductSerializer(OutputModelSerializer):
    class Meta:
        model = Product
        fields = ["id", "sku", "name", "price", "currency", "stock", "active", "updated_at"]
        read_only_fields = fields
        ref_name = "OrdersProduct"


class ProductCreateSerializer(StrictJSONTypesMixin, serializers.ModelSerializer):
    price = PriceField()

    class Meta:
        model = Product
        fields = ["sku", "name", "price", "currency", "stock", "active"]
        # The service reports a taken SKU with its own code (orders.sku_taken, 409), so
        # only the uniqueness validator is left out; the format is still checked.
        # An explicit bound: the default one is the database's integer range, which
        # would make the committed schema differ between SQLite and PostgreSQL.
        extra_kwargs = {
            "sku": {"validators": [sku_format]},
            "stock": {"max_value": 1_000_000},
        }
        ref_name = "OrdersProductCreate"


class ProductUpdateSerializer(StrictJSONTypesMixin, serializers.ModelSerializer):
    price = PriceField()

    class Meta:
        model = Product
        fields = ["name", "price", "currency", "active"]
        ref_name = "OrdersProductUpdate"


class ProductRestockSerializer(StrictJSONTypesMixin, serializers.Serializer):
    quantity = RestockQuantityField(min_value=-1_000_000, max_value=1_000_000)

    class Meta:
        ref_name = "OrdersProductRestock"

    def validate_quantity(self, value: int) -> int:
        if value == 0:
            raise serializers.ValidationError("A restock of 0 units changes nothing.")
        return value


class OrderLineSerializer(OutputModelSerializer):
    line_total = serializers.DecimalField(max_digits=14, decimal_places=2, read_only=True)

    class Meta:
        model = OrderLine
        fields = ["sku", "name", "unit_price", "quantity", "line_total"]
        read_only_fields = fields
        ref_name = "OrdersOrderLine"


class PaymentFailureSerializer(serializers.Serializer):
    code = serializers.CharField(source="last_payment_failure_code")
    message = serializers.CharField(source="last_payment_failure_message")
    failed_at = serializers.DateTimeField(source="last_payment_failed_at")

    class Meta:
        ref_name = "OrdersPaymentFailure"


class OrderSerializer(OutputModelSerializer):
    lines = OrderLineSerializer(many=True, read_only=True)
    last_payment_failure = serializers.SerializerMethodField()

    class Meta:
        model = Order
        fields = [
            "id",
            "customer_id",
            "status",
            "total",
            "currency",
            "lines",
            "payment_id",
            "cancel_reason",
            "last_payment_failure",
            "created_at",
            "updated_at",
            "paid_at",
            "fulfilled_at",
            "cancelled_at",
            "refunded_at",
        ]
        read_only_fields = fields
        ref_name = "OrdersOrder"

    @extend_schema_field(PaymentFailureSerializer(allow_null=True))
    def get_last_payment_failure(self, order: Order) -> dict[str, object] | None:
        if order.last_payment_failed_at is None:
            return None
        return dict(PaymentFailureSerializer(order).data)


class OrderPlaceLineSerializer(StrictJSONTypesMixin, serializers.Serializer):
    sku = serializers.CharField(max_length=64)
    quantity = serializers.IntegerField(min_value=1, max_value=MAX_QUANTITY)

    class Meta:
        ref_name = "OrdersOrderPlaceLine"


class OrderPlaceSerializer(StrictJSONTypesMixin, serializers.Serializer):
    lines = serializers.ListField(
        child=OrderPlaceLineSerializer(), min_length=1, max_length=MAX_LINES
    )

    class Meta:
        ref_name = "OrdersOrderPlace"


class OrderCancelSerializer(StrictJSONTypesMixin, serializers.Serializer):
    reason = serializers.CharField(max_length=200, required=False, default="", allow_blank=True)

    class Meta:
        ref_name = "OrdersOrderCancel"
