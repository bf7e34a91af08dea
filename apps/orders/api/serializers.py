"""Serializers of the orders API: input shapes to parse, output shapes to render.

Every serializer names its OpenAPI component (``ref_name``) so names stay unique
across the apps of the schema.
"""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from apikit.serializers import OutputModelSerializer
from apps.orders.models import Order, OrderLine, Product, sku_format
from apps.orders.services import MAX_LINES, MAX_QUANTITY


class ProductSerializer(OutputModelSerializer):
    class Meta:
        model = Product
        fields = ["id", "sku", "name", "price", "currency", "stock", "active", "updated_at"]
        read_only_fields = fields
        ref_name = "OrdersProduct"


class ProductCreateSerializer(serializers.ModelSerializer):
    class Meta:
        model = Product
        fields = ["sku", "name", "price", "currency", "stock", "active"]
        # The service reports a taken SKU with its own code (orders.sku_taken, 409), so
        # only the uniqueness validator is left out; the format is still checked.
        # An explicit bound: the default one is the database's integer range, which
        # would make the committed schema differ between SQLite and PostgreSQL.
        extra_kwargs = {"sku": {"validators": [sku_format]}, "stock": {"max_value": 1_000_000}}
        ref_name = "OrdersProductCreate"


class ProductUpdateSerializer(serializers.ModelSerializer):
    class Meta:
        model = Product
        fields = ["name", "price", "currency", "active"]
        ref_name = "OrdersProductUpdate"


class ProductRestockSerializer(serializers.Serializer):
    quantity = serializers.IntegerField(
        min_value=-1_000_000,
        max_value=1_000_000,
        help_text="Units to add to the stock; negative to write units off.",
    )

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


class OrderPlaceLineSerializer(serializers.Serializer):
    sku = serializers.CharField(max_length=64)
    quantity = serializers.IntegerField(min_value=1, max_value=MAX_QUANTITY)

    class Meta:
        ref_name = "OrdersOrderPlaceLine"


class OrderPlaceSerializer(serializers.Serializer):
    lines = OrderPlaceLineSerializer(many=True, min_length=1, max_length=MAX_LINES)

    class Meta:
        ref_name = "OrdersOrderPlace"


class OrderCancelSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=200, required=False, default="", allow_blank=True)

    class Meta:
        ref_name = "OrdersOrderCancel"
