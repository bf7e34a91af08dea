"""Views of the payments API: thin, one selector each."""

from uuid import UUID

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.payments import selectors
from apps.payments.models import Payment


class PaymentSerializer(serializers.ModelSerializer):
    class Meta:
        model = Payment
        fields = ["id", "order_id", "status", "amount", "currency", "created_at"]
        read_only_fields = fields
        ref_name = "Payment"


class PaymentDetailView(APIView):
    @extend_schema(operation_id="payments_retrieve", responses=PaymentSerializer)
    def get(self, request: Request, payment_id: UUID) -> Response:
        """One payment of the signed-in customer (staff see every payment)."""
        customer_id = None if request.user.is_staff else request.user.pk
        payment = selectors.payment_get(payment_id=payment_id, customer_id=customer_id)
        return Response(PaymentSerializer(payment).data)
