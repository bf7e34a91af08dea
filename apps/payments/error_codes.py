"""Error codes of the payments app (the contract's own errors live in contracts.payments).

The charge failures double as the stored answer of a failed payment: the code of
the failure is the ``code`` of the error body replayed to every retry.
"""

from __future__ import annotations

from contracts.errors import Conflict, ContractError


class IdempotencyKeyRequired(ContractError):
    code = "payments.idempotency_key_required"
    default_message = (
        "Send an Idempotency-Key header (1 to 255 visible ASCII characters, e.g. a UUID)."
    )


class IdempotencyKeyReused(ContractError):
    code = "payments.idempotency_key_reused"
    http_status = 422
    default_message = "This Idempotency-Key was used with a different request body."


class RequestInProgress(Conflict):
    code = "payments.request_in_progress"
    default_message = (
        "A request with this Idempotency-Key is still being processed; retry in a moment."
    )


class OrderNotPayable(Conflict):
    code = "payments.order_not_payable"
    default_message = "The order is not waiting for a payment."


class ChargeFailed(ContractError):
    """Base of the failures a charge can end with (402: the payment was refused)."""

    code = "payments.charge_failed"
    http_status = 402
    default_message = "The payment was not accepted."


class CardDeclined(ChargeFailed):
    code = "payments.card_declined"
    default_message = "The card was declined."


class InsufficientFunds(ChargeFailed):
    code = "payments.insufficient_funds"
    default_message = "The card has insufficient funds."


class InvalidPaymentToken(ChargeFailed):
    code = "payments.invalid_payment_token"
    default_message = "The payment token is not valid."


class GatewayFailure(ChargeFailed):
    code = "payments.gateway_error"
    http_status = 502
    default_message = "The payment gateway failed; the payment failed."


class PaymentAbandoned(ChargeFailed):
    code = "payments.payment_abandoned"
    http_status = 502
    default_message = "The payment never received an outcome and the gateway has no charge for it."


# The processor's decline codes, in this app's vocabulary.
CHARGE_FAILURES: dict[str, type[ChargeFailed]] = {
    "card_declined": CardDeclined,
    "insufficient_funds": InsufficientFunds,
    "invalid_token": InvalidPaymentToken,
}


def charge_failure(decline_code: str, *, declined: bool) -> type[ChargeFailed]:
    """``declined``: the issuer said no (an unknown reason is still a decline, 402);
    otherwise the processor itself answered that it failed (502). A timeout is no
    failure at all: see ``gateway.OutcomeUnknown``."""
    return CHARGE_FAILURES.get(decline_code, CardDeclined if declined else GatewayFailure)
