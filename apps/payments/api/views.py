"""Views of the payments API: thin, one service or selector each."""

from __future__ import annotations

import re
from typing import Any
from uuid import UUID

from django.db.models import QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import generics, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from apikit.auth.permissions import customer_scope, staff_with
from apikit.drf.openapi import error_response
from apps.payments import refunds, selectors, services
from apps.payments.api.filters import PaymentFilter
from apps.payments.api.serializers import (
    PaymentCreateSerializer,
    PaymentSerializer,
    RefundCreateSerializer,
    RefundSerializer,
)
from apps.payments.error_codes import IdempotencyKeyRequired
from apps.payments.models import Payment, Refund

IDEMPOTENCY_HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotent-Replayed"
MAX_KEY_LENGTH = 255

# Visible ASCII only: what every HTTP stack carries unchanged (a UUID is a good key).
IDEMPOTENCY_KEY_PATTERN = rf"^[!-~]{{1,{MAX_KEY_LENGTH}}}$"

IDEMPOTENCY_KEY_PARAMETER = OpenApiParameter(
    IDEMPOTENCY_HEADER,
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    required=True,
    pattern=IDEMPOTENCY_KEY_PATTERN,
    description=(
        "A unique key per payment attempt (a UUID is a good choice). Retrying with the same "
        "key and body returns the first answer and never charges again; the same key with "
        "another body is refused with 422."
    ),
)
REPLAYED_HEADER_PARAMETER = OpenApiParameter(
    REPLAYED_HEADER,
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    response=[201, 202, 402, 502],
    description="`true` when the answer is the stored answer of an earlier request.",
)


def idempotency_key(request: Request) -> str:
    key = request.headers.get(IDEMPOTENCY_HEADER, "")
    if not re.fullmatch(IDEMPOTENCY_KEY_PATTERN, key):
        raise IdempotencyKeyRequired(details={"header": IDEMPOTENCY_HEADER})
    return key


# Staff see other customers' payments only with the view permission, and refund
# only with the change permission (the refund permission of the whole API and admin).
VIEW_PAYMENTS = "payments.view_payment"
REFUND_PAYMENTS = "payments.change_payment"


class PaymentListCreateView(generics.ListAPIView):
    serializer_class = PaymentSerializer
    filterset_class = PaymentFilter
    queryset = Payment.objects.none()  # for schema generation; get_queryset decides

    def get_queryset(self) -> QuerySet[Payment]:
        return selectors.payment_list(customer_id=customer_scope(self.request, VIEW_PAYMENTS))

    @extend_schema(operation_id="payments_list")
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """The signed-in customer's payments, newest first.

        Staff holding ``payments.view_payment`` see every payment.
        """
        return super().get(request, *args, **kwargs)

    @extend_schema(
        operation_id="payments_create",
        parameters=[IDEMPOTENCY_KEY_PARAMETER, REPLAYED_HEADER_PARAMETER],
        request=PaymentCreateSerializer,
        responses={
            201: PaymentSerializer,
            202: OpenApiResponse(
                PaymentSerializer,
                description=(
                    "The gateway's answer is unknown (a timeout): the payment is `pending` "
                    "and still holds the order; it is settled from the gateway's record "
                    "(follow it at `GET /payments/{id}`)."
                ),
            ),
            400: error_response("No or invalid Idempotency-Key, or invalid body"),
            402: error_response("Declined: `payments.card_declined`, …"),
            404: error_response("No such order of yours"),
            409: error_response("`payments.order_not_payable` or `payments.request_in_progress`"),
            422: error_response("`payments.idempotency_key_reused`"),
            502: error_response("`payments.gateway_error`, `payments.payment_abandoned`"),
        },
    )
    def post(self, request: Request) -> Response:
        """Pay one of your orders with a card token, once per Idempotency-Key.

        The amount and currency come from the order. The answer of the first request
        (a 201, a 402/502 when the charge failed, a 202 while its outcome is unknown)
        is stored and replayed to every retry with the same key and body; a 202 is
        replaced by the final answer once the payment is settled.
        """
        key = idempotency_key(request)
        body = PaymentCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        outcome = services.payment_charge(
            customer_id=request.user.pk,
            order_id=body.validated_data["order_id"],
            payment_token=body.validated_data["payment_token"],
            idempotency_key=key,
        )
        response = Response(outcome.body, status=outcome.status_code)
        if outcome.replayed:
            response[REPLAYED_HEADER] = "true"
        return response


class PaymentDetailView(APIView):
    @extend_schema(operation_id="payments_retrieve", responses=PaymentSerializer)
    def get(self, request: Request, payment_id: UUID) -> Response:
        """One payment of the signed-in customer, with its refunds.

        Staff holding ``payments.view_payment`` see every payment.
        """
        payment = selectors.payment_get(
            payment_id=payment_id, customer_id=customer_scope(request, VIEW_PAYMENTS)
        )
        return Response(PaymentSerializer(payment).data)


class PaymentRefundView(APIView):
    permission_classes = [staff_with(REFUND_PAYMENTS)]

    @extend_schema(
        operation_id="payments_refund",
        request=RefundCreateSerializer,
        responses={
            201: RefundSerializer,
            202: OpenApiResponse(
                RefundSerializer,
                description=(
                    "The gateway's answer is unknown: the refund is `pending` and is settled "
                    "from the gateway's record"
                ),
            ),
            403: error_response("Staff holding payments.change_payment only"),
            404: error_response("No such payment"),
            409: error_response("`payments.nothing_to_refund`"),
            502: error_response("`payments.refund_declined`"),
        },
    )
    def post(self, request: Request, payment_id: UUID) -> Response:
        """Staff: refund a captured payment in full (the order follows by event)."""
        body = RefundCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        refund = refunds.payment_refund(payment_id=payment_id, reason=body.validated_data["reason"])
        pending = refund.status == Refund.Status.PENDING
        return Response(
            RefundSerializer(refund).data,
            status=status.HTTP_202_ACCEPTED if pending else status.HTTP_201_CREATED,
        )
