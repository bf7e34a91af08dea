"""The answer to a payment request, stored with its outcome and replayed to retries.

Built here as a plain dict, without the web layer: the domain records the answer
in the same transaction as the outcome, so every retry with the same
Idempotency-Key gets byte-for-byte the answer of the first request. The body of a
payment has the shape of the API's ``Payment`` component (a test holds the two
together), written out field by field so that no serializer runs in the domain.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.utils import timezone

from apps.payments.error_codes import ChargeFailed
from apps.payments.models import Payment

CAPTURED_STATUS = 201
# The gateway's answer is unknown (a timeout): the payment stays pending, still
# holding the order, until the gateway's record settles it.
OUTCOME_UNKNOWN_STATUS = 202


def _timestamp(value: datetime) -> str:
    # ISO 8601 in the current time zone, "Z" for UTC: what the API renders.
    text = timezone.localtime(value).isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def payment_body(payment: Payment) -> dict[str, Any]:
    """The payment as the API shows it when its answer is stored."""
    return {
        "id": str(payment.id),
        "order_id": str(payment.order_id),
        "customer_id": str(payment.customer_id),
        "status": payment.status,
        "amount": f"{payment.amount:.2f}",
        "currency": payment.currency,
        "gateway_reference": payment.gateway_reference,
        "failure_code": payment.failure_code,
        "failure_message": payment.failure_message,
        "created_at": _timestamp(payment.created_at),
        # An answer is stored before any refund can exist (a refund needs a capture).
        "refunds": [],
    }


def captured_answer(payment: Payment) -> tuple[int, dict[str, Any]]:
    return CAPTURED_STATUS, payment_body(payment)


def unknown_answer(payment: Payment) -> tuple[int, dict[str, Any]]:
    return OUTCOME_UNKNOWN_STATUS, payment_body(payment)


def failed_answer(payment: Payment, failure: type[ChargeFailed]) -> tuple[int, dict[str, Any]]:
    error = failure(details={"payment_id": str(payment.id), "order_id": str(payment.order_id)})
    return failure.http_status, error.as_dict()
