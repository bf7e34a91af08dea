"""The SANDBOX gateway: a card processor stand-in driven by test tokens.

Like a real processor it keeps its own ledger (``SandboxCharge``/``SandboxRefund``)
and answers a repeated idempotency key with the first result instead of moving
money again; ``attempts`` counts how often a key was presented, so tests can
prove the app asked for a charge exactly once.

Tokens (anything else is declined as ``invalid_token``):

=========================  ===================================================
``tok_success``            charged (``tok_visa``, ``tok_mastercard`` too)
``tok_slow``               charged after ``SLOW_SECONDS`` (try concurrent retries)
``tok_decline``            declined: ``card_declined``
``tok_insufficient_funds`` declined: ``insufficient_funds``
``tok_timeout``            no answer: raises ``GatewayTimeout``, nothing charged
``tok_unreachable``        the connection broke: raises ``GatewayUnreachable``,
                           nothing charged
``tok_timeout_after_charge`` charged, but every answer to the charge call is lost
                           (``GatewayTimeout``); only ``find_charge`` tells
``tok_flaky``              charged, the first answer lost; a repeat of the key
                           gets the charge
``tok_late``               no answer, and the charge lands later: it stays
                           ``processing`` (invisible to ``find_charge``) until
                           ``SandboxGateway.land_late_charges()``
``tok_refund_refused``     charged, but every refund of it is refused
``tok_refund_timeout``     charged; every refund of it is made but its answer
                           lost (``GatewayTimeout``); only ``find_refund`` tells
=========================  ===================================================
"""

from __future__ import annotations

import time
import uuid
from decimal import Decimal
from typing import TypeVar

from django.db import IntegrityError
from django.db.models import F, Sum

from apikit import rows
from apps.payments.gateway import (
    ChargeDeclined,
    ChargeResult,
    GatewayTimeout,
    GatewayUnreachable,
    PaymentGateway,
    RefundRefused,
    RefundResult,
)
from apps.payments.models import SandboxCharge, SandboxLedgerEntry, SandboxRefund

Entry = TypeVar("Entry", bound=SandboxLedgerEntry)

# Test card tokens, not secrets.
SLOW_TOKEN = "tok_slow"  # noqa: S105
SLOW_SECONDS = 0.5
DECLINES = {"tok_decline": "card_declined", "tok_insufficient_funds": "insufficient_funds"}
TIMEOUT_TOKEN = "tok_timeout"  # noqa: S105
UNREACHABLE_TOKEN = "tok_unreachable"  # noqa: S105
ANSWER_LOST_TOKEN = "tok_timeout_after_charge"  # noqa: S105
FLAKY_TOKEN = "tok_flaky"  # noqa: S105
LATE_TOKEN = "tok_late"  # noqa: S105
REFUND_REFUSED_TOKEN = "tok_refund_refused"  # noqa: S105
REFUND_TIMEOUT_TOKEN = "tok_refund_timeout"  # noqa: S105
SUCCESS_TOKENS = frozenset(
    {
        "tok_success",
        "tok_visa",
        "tok_mastercard",
        SLOW_TOKEN,
        ANSWER_LOST_TOKEN,
        FLAKY_TOKEN,
        LATE_TOKEN,
        REFUND_REFUSED_TOKEN,
        REFUND_TIMEOUT_TOKEN,
    }
)


def _lost_answer() -> GatewayTimeout:
    return GatewayTimeout("The sandbox processor did not answer in time.")


def _reference(prefix: str) -> str:
    return f"{prefix}_{uuid.uuid4().hex[:24]}"


class SandboxGateway(PaymentGateway):
    def _charge(
        self, *, amount: Decimal, currency: str, token: str, idempotency_key: str
    ) -> ChargeResult:
        # Tokens that never leave a record: the processor was not reached.
        if token == TIMEOUT_TOKEN:
            raise _lost_answer()
        if token == UNREACHABLE_TOKEN:
            raise GatewayUnreachable("The connection to the sandbox processor broke off.")
        if (
            token == SLOW_TOKEN
            and not SandboxCharge.objects.filter(idempotency_key=idempotency_key).exists()
        ):
            time.sleep(SLOW_SECONDS)
        decline_code = "" if token in SUCCESS_TOKENS else "invalid_token"
        decline_code = DECLINES.get(token, decline_code)
        outcome = (
            SandboxCharge.Outcome.DECLINED if decline_code else SandboxCharge.Outcome.SUCCEEDED
        )
        if token == LATE_TOKEN:
            outcome = SandboxCharge.Outcome.PROCESSING
        charge = SandboxCharge(
            reference=_reference("sbx_ch"),
            idempotency_key=idempotency_key,
            token=token[:100],
            amount=amount,
            currency=currency,
            outcome=outcome,
            decline_code=decline_code,
        )
        # A key seen before (a retry, or the same key twice at once) is answered as the
        # first time, and counted; a new one is one INSERT (apikit.rows).
        if not rows.insert_unless_taken(charge, "idempotency_key"):
            seen = self._count_attempt(SandboxCharge, idempotency_key)
            assert seen is not None
            if seen.token == ANSWER_LOST_TOKEN or seen.outcome == SandboxCharge.Outcome.PROCESSING:
                raise _lost_answer()
            return self._charge_result(seen)
        if token in (ANSWER_LOST_TOKEN, FLAKY_TOKEN, LATE_TOKEN):
            raise _lost_answer()
        return self._charge_result(charge)

    def _refund(
        self, *, charge_reference: str, amount: Decimal, currency: str, idempotency_key: str
    ) -> RefundResult:
        seen = self._count_attempt(SandboxRefund, idempotency_key)
        if seen is not None:
            if seen.charge.token == REFUND_TIMEOUT_TOKEN:
                raise _lost_answer()
            return self._refund_result(seen)
        charge = SandboxCharge.objects.filter(
            reference=charge_reference, outcome=SandboxCharge.Outcome.SUCCEEDED
        ).first()
        if charge is None:
            raise RefundRefused(
                f"The sandbox has no successful charge {charge_reference}.",
                decline_code="no_such_charge",
            )
        refunded = charge.refunds.filter(outcome=SandboxRefund.Outcome.SUCCEEDED).aggregate(
            total=Sum("amount")
        )["total"] or Decimal("0")
        decline_code = ""
        if charge.token == REFUND_REFUSED_TOKEN:
            decline_code = "refund_refused"
        elif currency != charge.currency or amount + refunded > charge.amount:
            decline_code = "amount_exceeds_charge"
        try:
            refund = SandboxRefund.objects.create(
                reference=_reference("sbx_re"),
                idempotency_key=idempotency_key,
                charge=charge,
                amount=amount,
                currency=currency,
                outcome=(
                    SandboxRefund.Outcome.REFUSED
                    if decline_code
                    else SandboxRefund.Outcome.SUCCEEDED
                ),
                decline_code=decline_code,
            )
        except IntegrityError:
            refund = self._count_attempt(SandboxRefund, idempotency_key)
            assert refund is not None
        if charge.token == REFUND_TIMEOUT_TOKEN:
            raise _lost_answer()
        return self._refund_result(refund)

    def _find_charge(self, *, idempotency_key: str) -> ChargeResult | None:
        charge = SandboxCharge.objects.filter(
            idempotency_key=idempotency_key, outcome=SandboxCharge.Outcome.SUCCEEDED
        ).first()
        if charge is None:
            return None
        return ChargeResult(
            reference=charge.reference, amount=charge.amount, currency=charge.currency
        )

    def _find_refund(self, *, idempotency_key: str) -> RefundResult | None:
        refund = (
            SandboxRefund.objects.select_related("charge")
            .filter(idempotency_key=idempotency_key)
            .first()
        )
        return None if refund is None else self._refund_result(refund)

    @staticmethod
    def land_late_charges() -> int:
        """The processor finishes the ``tok_late`` charges it was still processing."""
        return SandboxCharge.objects.filter(outcome=SandboxCharge.Outcome.PROCESSING).update(
            outcome=SandboxCharge.Outcome.SUCCEEDED
        )

    @staticmethod
    def _count_attempt(model: type[Entry], idempotency_key: str) -> Entry | None:
        if not model.objects.filter(idempotency_key=idempotency_key).update(
            attempts=F("attempts") + 1
        ):
            return None
        return model.objects.get(idempotency_key=idempotency_key)

    @staticmethod
    def _charge_result(charge: SandboxCharge) -> ChargeResult:
        if charge.outcome == SandboxCharge.Outcome.DECLINED:
            raise ChargeDeclined(
                f"The sandbox declined the charge ({charge.decline_code}).",
                decline_code=charge.decline_code,
            )
        return ChargeResult(
            reference=charge.reference, amount=charge.amount, currency=charge.currency
        )

    @staticmethod
    def _refund_result(refund: SandboxRefund) -> RefundResult:
        if refund.outcome == SandboxRefund.Outcome.REFUSED:
            raise RefundRefused(
                f"The sandbox refused the refund ({refund.decline_code}).",
                decline_code=refund.decline_code,
            )
        return RefundResult(
            reference=refund.reference,
            charge_reference=refund.charge.reference,
            amount=refund.amount,
            currency=refund.currency,
        )
