"""Idempotency keys: the request fingerprint, and waiting for the winner's stored answer.

A key is claimed by inserting the payment row (see ``services.payment_claim``);
this module holds the two other pieces: what makes two requests "the same", and
how a duplicate waits for the answer of the request that won.
"""

from __future__ import annotations

import hashlib
import json
import time
from uuid import UUID

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
    deadline = time.monotonic() + timeout_seconds
    pause = FIRST_POLL_SECONDS
    while True:
        payment = Payment.objects.filter(id=payment_id, response_status__isnull=False).first()
        if payment is not None:
            return payment
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            return None
        time.sleep(min(pause, remaining))
        pause = min(pause * 2, MAX_POLL_SECONDS)
