"""Idempotency keys: the request fingerprint, and waiting for the winner's stored answer.

A key is claimed by inserting the payment row (see ``services.payment_claim``);
this module holds the two other pieces: what makes two requests "the same", and
how a duplicate waits for the answer of the request that won.
"""

from __future__ import annotations

import hashlib
import json
from uuid import UUID

from tenacity import Retrying, retry_if_result, stop_after_delay, wait_exponential

from apps.payments.models import Payment

# Poll quickly at first (a sandbox charge takes milliseconds), then back off.
FIRST_POLL_SECONDS = 0.02
MAX_POLL_SECONDS = 0.25


def request_fingerprint(*, order_id: UUID, payment_token: str) -> str:
    """SHA-256 of the canonical body: sorted keys, no whitespace, the UUID in its
    canonical form, so formatting differences do not make two requests differ."""
    canonical = json.dumps(
        {"order_id": str(order_id), "payment_token": payment_token},
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
    )
    return hashlib.sha256(canonical.encode()).hexdigest()


def wait_for_response(*, payment_id: UUID, timeout_seconds: float) -> Payment | None:
    """The payment once its answer is stored, or ``None`` if it is still in flight
    after ``timeout_seconds``. Each poll is its own query (autocommit), so it sees
    the winner's commit as soon as it happens."""
    poll = Retrying(
        stop=stop_after_delay(timeout_seconds),
        wait=wait_exponential(multiplier=FIRST_POLL_SECONDS, max=MAX_POLL_SECONDS),
        retry=retry_if_result(lambda payment: payment is None),
        retry_error_callback=lambda state: None,  # still in flight: no answer yet
    )
    answered: Payment | None = poll(
        lambda: Payment.objects.filter(id=payment_id, response_status__isnull=False).first()
    )
    return answered
