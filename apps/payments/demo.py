"""The payments part of the demo shop: the payments of the demo's orders.

Captured payments of the paid and fulfilled orders, and a declined attempt on
Ada's pending order, each with the sandbox ledger entry a real charge would have
left, so ``reconcile_sandbox`` finds the demo consistent. Idempotent: rows are
keyed by deterministic ids and kept when they exist.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

from django.db import transaction

from apps.payments import answers
from apps.payments.error_codes import CardDeclined
from apps.payments.idempotency import request_fingerprint
from apps.payments.models import Payment, SandboxCharge
from contracts import demo
from contracts.payments import PaymentStatus

# customer email, order number, attempt key, amount, sandbox token
DEMO_PAYMENTS = (
    ("ada@example.com", 1, "declined", Decimal("59.90"), "tok_decline"),
    ("ada@example.com", 2, "", Decimal("19.99"), "tok_success"),
    ("grace@example.com", 1, "", Decimal("120.00"), "tok_success"),
)


@transaction.atomic
def seed(*, log: Callable[[str], None]) -> None:
    for email, number, attempt, amount, token in DEMO_PAYMENTS:
        # The orders demo points at the captured payments by these ids.
        key = f"demo-{email}-{number}" + (f"-{attempt}" if attempt else "")
        payment_id = demo.demo_id("payment", key)
        if Payment.objects.filter(id=payment_id).exists():
            log(f"payments: {email} #{number} kept")
            continue
        order_id = demo.demo_id("order", f"{email}:{number}")
        payment = Payment(
            id=payment_id,
            order_id=order_id,
            customer_id=demo.demo_id("user", email),
            amount=amount,
            currency="EUR",
            idempotency_key=key,
            request_fingerprint=request_fingerprint(order_id=order_id, payment_token=token),
        )
        declined = token == "tok_decline"  # noqa: S105 - a sandbox test token
        charge = SandboxCharge.objects.create(
            reference=f"sbx_ch_demo_{payment_id.hex[:16]}",
            idempotency_key=str(payment_id),
            token=token,
            amount=amount,
            currency="EUR",
            outcome=SandboxCharge.Outcome.DECLINED if declined else SandboxCharge.Outcome.SUCCEEDED,
            decline_code="card_declined" if declined else "",
        )
        if declined:
            payment.status = PaymentStatus.FAILED.value
            payment.failure_code = CardDeclined.code
            payment.failure_message = "The sandbox declined the charge (card_declined)."
            payment.response_status, payment.response_body = answers.failed_answer(
                payment, CardDeclined
            )
        else:
            payment.status = PaymentStatus.CAPTURED.value
            payment.gateway_reference = charge.reference
            payment.response_status, payment.response_body = answers.captured_answer(payment)
        payment.save()
        log(f"payments: {email} #{number} {payment.status} (created)")
