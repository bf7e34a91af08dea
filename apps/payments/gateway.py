"""The payment gateway interface, its errors, and the choice of provider by setting.

A gateway speaks the card processor's language (decline codes, references); the
services translate its answers into this app's error codes. Every call is made
outside any database transaction: a charge is slow and irreversible, and holding
row locks (or a transaction that may still roll back) across it would either
stall the database or record a charge that never happened. ``charge``,
``refund``, ``find_charge`` and ``find_refund`` enforce that before handing over
to the provider.

A timeout or a broken connection is ``OutcomeUnknown``, never a decline: the
processor may have moved the money. Only the processor's own record, asked with
the same idempotency key, settles it.
"""

from __future__ import annotations

import abc
import dataclasses
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core import checks
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.utils.module_loading import import_string
from tenacity import Retrying, retry_if_exception_type, stop_after_attempt, wait_exponential

# Short names accepted by the PAYMENTS_GATEWAY setting; a dotted path works too.
GATEWAYS = {"sandbox": "apps.payments.sandbox.SandboxGateway"}


@dataclasses.dataclass(frozen=True, kw_only=True)
class ChargeResult:
    reference: str
    amount: Decimal
    currency: str


@dataclasses.dataclass(frozen=True, kw_only=True)
class RefundResult:
    reference: str
    charge_reference: str
    amount: Decimal
    currency: str


class GatewayError(Exception):
    """The processor did not move the money. ``decline_code`` is the processor's word."""

    decline_code = "processing_error"

    def __init__(self, message: str, *, decline_code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        if decline_code is not None:
            self.decline_code = decline_code


class ChargeDeclined(GatewayError):
    """The card or the issuer refused (``card_declined``, ``insufficient_funds``, …)."""

    decline_code = "card_declined"


class RefundRefused(GatewayError):
    decline_code = "refund_refused"


class OutcomeUnknown(GatewayError):
    """The call may or may not have moved money: never a failure, only a question.

    The caller keeps its record open (a payment ``pending``, a refund ``pending``),
    asks again with the SAME idempotency key, and settles it from the processor's
    own record (``find_charge`` / ``find_refund``).
    """

    decline_code = "unknown"


class GatewayTimeout(OutcomeUnknown):
    """No answer in time."""

    decline_code = "timeout"


class GatewayUnreachable(OutcomeUnknown):
    """The connection failed or broke off: the request may have arrived."""

    decline_code = "unreachable"


class GatewayCalledInTransaction(RuntimeError):
    """A programming error: the gateway was called with a database transaction open."""


def ensure_no_transaction(operation: str) -> None:
    if transaction.get_connection().in_atomic_block:
        raise GatewayCalledInTransaction(
            f"gateway {operation}() called inside a database transaction: call the gateway "
            "between transactions, never while one is open"
        )


class PaymentGateway(abc.ABC):
    """What the payments app needs from a card processor.

    Subclasses implement the ``_charge``/``_refund``/``_find_charge``/``_find_refund`` steps; the
    public methods guard them. ``idempotency_key`` makes a call safe to repeat: the
    processor answers a repeated key with the first result instead of moving money
    again.
    """

    def charge(
        self, *, amount: Decimal, currency: str, token: str, idempotency_key: str
    ) -> ChargeResult:
        """Charge ``token``; raises ``ChargeDeclined`` or ``OutcomeUnknown``."""
        ensure_no_transaction("charge")
        return self._charge(
            amount=amount, currency=currency, token=token, idempotency_key=idempotency_key
        )

    def refund(
        self, *, charge_reference: str, amount: Decimal, currency: str, idempotency_key: str
    ) -> RefundResult:
        """Refund (part of) a charge; raises ``RefundRefused`` or ``OutcomeUnknown``."""
        ensure_no_transaction("refund")
        return self._refund(
            charge_reference=charge_reference,
            amount=amount,
            currency=currency,
            idempotency_key=idempotency_key,
        )

    def find_charge(self, *, idempotency_key: str) -> ChargeResult | None:
        """The successful charge made with ``idempotency_key``, if the processor has one
        (``None``: it never charged with that key, or declined)."""
        ensure_no_transaction("find_charge")
        return self._find_charge(idempotency_key=idempotency_key)

    def find_refund(self, *, idempotency_key: str) -> RefundResult | None:
        """The refund made with ``idempotency_key``: ``None`` if the processor never saw
        it; raises ``RefundRefused`` if it refused it."""
        ensure_no_transaction("find_refund")
        return self._find_refund(idempotency_key=idempotency_key)

    @abc.abstractmethod
    def _charge(
        self, *, amount: Decimal, currency: str, token: str, idempotency_key: str
    ) -> ChargeResult: ...

    @abc.abstractmethod
    def _refund(
        self, *, charge_reference: str, amount: Decimal, currency: str, idempotency_key: str
    ) -> RefundResult: ...

    @abc.abstractmethod
    def _find_charge(self, *, idempotency_key: str) -> ChargeResult | None: ...

    @abc.abstractmethod
    def _find_refund(self, *, idempotency_key: str) -> RefundResult | None: ...


def retrying() -> Retrying:
    """Repeat a call whose outcome is unknown, a bounded number of times
    (``PAYMENTS_GATEWAY_ATTEMPTS``): the caller passes the same idempotency key each
    time, so a repeat can never move money twice."""
    return Retrying(
        stop=stop_after_attempt(settings.PAYMENTS_GATEWAY_ATTEMPTS),
        wait=wait_exponential(multiplier=settings.PAYMENTS_GATEWAY_RETRY_SECONDS, max=2),
        retry=retry_if_exception_type(OutcomeUnknown),
        reraise=True,
    )


def gateway_class() -> type[PaymentGateway]:
    name = settings.PAYMENTS_GATEWAY
    try:
        cls = import_string(GATEWAYS.get(name, name))
    except ImportError as exc:
        raise ImproperlyConfigured(
            f"PAYMENTS_GATEWAY={name!r} is neither one of {sorted(GATEWAYS)} nor an importable "
            "dotted path"
        ) from exc
    if not (isinstance(cls, type) and issubclass(cls, PaymentGateway)):
        raise ImproperlyConfigured(f"PAYMENTS_GATEWAY={name!r} is not a PaymentGateway subclass")
    return cls


def get_gateway() -> PaymentGateway:
    """The gateway chosen by ``settings.PAYMENTS_GATEWAY`` (read on every call, so tests
    can switch it)."""
    return gateway_class()()


def check_gateway_setting(**kwargs: Any) -> list[checks.CheckMessage]:
    """System check: an unusable PAYMENTS_GATEWAY fails at startup, not at the first sale."""
    try:
        gateway_class()
    except ImproperlyConfigured as exc:
        return [checks.Error(str(exc), id="payments.E001")]
    return []
