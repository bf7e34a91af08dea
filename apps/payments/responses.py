"""The HTTP answer to a payment request, built when the outcome is recorded.

It is stored on the payment in the same transaction as the outcome, so every
retry with the same Idempotency-Key gets byte-for-byte the answer of the first
request, whatever happened to the payment since.
"""

from __future__ import annotations

import json
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder

from apps.payments.api.serializers import PaymentSerializer
from apps.payments.error_codes import ChargeFailed
from apps.payments.models import Payment

CAPTURED_STATUS = 201


def _jsonable(data: Any) -> dict[str, Any]:
    # What the JSON column will give back, so the first answer equals the replays.
    loaded: dict[str, Any] = json.loads(json.dumps(data, cls=DjangoJSONEncoder))
    return loaded


def captured_response(payment: Payment) -> tuple[int, dict[str, Any]]:
    return CAPTURED_STATUS, _jsonable(PaymentSerializer(payment).data)


def failed_response(payment: Payment, failure: type[ChargeFailed]) -> tuple[int, dict[str, Any]]:
    error = failure(details={"payment_id": str(payment.id), "order_id": str(payment.order_id)})
    return failure.http_status, _jsonable(error.as_dict())
