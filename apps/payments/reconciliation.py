"""Reconciliation of the app's records with the sandbox processor's ledger.

The payments app passes its own ids as the gateway's idempotency keys (payment id
for a charge, refund id for a refund), which is what lets the two sides be
matched one to one.
"""

from __future__ import annotations

import dataclasses
from datetime import datetime

from apps.payments.models import Payment, Refund, SandboxCharge, SandboxRefund
from contracts.payments import PaymentStatus

CHARGED_STATUSES = (PaymentStatus.CAPTURED.value, PaymentStatus.REFUNDED.value)


@dataclasses.dataclass(frozen=True)
class Discrepancy:
    kind: str
    reference: str
    detail: str


def sandbox_discrepancies(*, since: datetime | None = None) -> list[Discrepancy]:
    """What does not match between payments/refunds and the sandbox ledger."""
    payments = Payment.objects.filter(status__in=CHARGED_STATUSES)
    charges = SandboxCharge.objects.filter(outcome=SandboxCharge.Outcome.SUCCEEDED)
    refunds = Refund.objects.filter(status=Refund.Status.SUCCEEDED)
    sandbox_refunds = SandboxRefund.objects.filter(outcome=SandboxRefund.Outcome.SUCCEEDED)
    if since is not None:
        payments = payments.filter(created_at__gte=since)
        charges = charges.filter(created_at__gte=since)
        refunds = refunds.filter(created_at__gte=since)
        sandbox_refunds = sandbox_refunds.filter(created_at__gte=since)
    found: list[Discrepancy] = []
    charge_by_key = {c.idempotency_key: c for c in charges}
    for payment in payments:
        charge = charge_by_key.pop(str(payment.id), None)
        if charge is None:
            found.append(
                Discrepancy(
                    "missing_charge", str(payment.id), "no sandbox charge for a paid payment"
                )
            )
        elif (charge.reference, charge.amount, charge.currency) != (
            payment.gateway_reference,
            payment.amount,
            payment.currency,
        ):
            found.append(
                Discrepancy(
                    "charge_mismatch",
                    str(payment.id),
                    f"payment {payment.gateway_reference} {payment.amount} {payment.currency} "
                    f"≠ sandbox {charge.reference} {charge.amount} {charge.currency}",
                )
            )
    for key, charge in charge_by_key.items():
        found.append(
            Discrepancy(
                "orphan_charge",
                charge.reference,
                f"money taken for {key} but no captured payment records it",
            )
        )
    found.extend(
        Discrepancy(
            "repeated_charge_request",
            charge.reference,
            f"the charge was requested {charge.attempts} times",
        )
        for charge in SandboxCharge.objects.filter(attempts__gt=1, id__in=charges.values("id"))
    )
    sandbox_refund_by_key = {r.idempotency_key: r for r in sandbox_refunds}
    for refund in refunds:
        sandbox_refund = sandbox_refund_by_key.pop(str(refund.id), None)
        if sandbox_refund is None or sandbox_refund.amount != refund.amount:
            found.append(
                Discrepancy(
                    "missing_refund", str(refund.id), "no matching sandbox refund for a refund"
                )
            )
    found.extend(
        Discrepancy("orphan_refund", r.reference, f"money returned for {key} but no refund")
        for key, r in sandbox_refund_by_key.items()
    )
    return found
