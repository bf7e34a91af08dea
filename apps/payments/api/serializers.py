"""Serializers of the payments API; each has its own OpenAPI component name."""

from __future__ import annotations

from rest_framework import serializers

from apikit.drf.strict_input import StrictJSONTypesMixin
from apps.payments.models import Payment, Refund


class RefundSerializer(serializers.ModelSerializer):
    payment_id = serializers.UUIDField(read_only=True)

    class Meta:
        model = Refund
        fields = [
            "id",
            "payment_id",
            "status",
            "amount",
            "currency",
            "gateway_reference",
            "reason",
            "failure_code",
            "failure_message",
            "created_at",
        ]
        read_only_fields = fields
        ref_name = "PaymentRefund"


class PaymentSerializer(serializers.ModelSerializer):
    # One component for the list, the detail and the stored answer: a status enum
    # shared by two components would get an unstable generated name.
    refunds = RefundSerializer(many=True, read_only=True)

    class Meta:
        model = Payment
        fields = [
            "id",
            "order_id",
            "customer_id",
            "status",
            "amount",
            "currency",
            "gateway_reference",
            "failure_code",
            "failure_message",
            "created_at",
            "refunds",
        ]
        read_only_fields = fields
        ref_name = "Payment"


class PaymentCreateSerializer(StrictJSONTypesMixin, serializers.Serializer):
    order_id = serializers.UUIDField(help_text="The order to pay; the amount comes from it.")
    payment_token = serializers.CharField(
        max_length=100, help_text="A card token from the payment form (sandbox: `tok_success`…)."
    )

    class Meta:
        ref_name = "PaymentCreate"


class RefundCreateSerializer(StrictJSONTypesMixin, serializers.Serializer):
    reason = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")

    class Meta:
        ref_name = "PaymentRefundCreate"
