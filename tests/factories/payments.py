"""factory-boy factories of the payments app."""

from __future__ import annotations

import uuid
from decimal import Decimal

import factory

from apps.payments.models import Payment, Refund, SandboxCharge


class SandboxChargeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SandboxCharge

    reference = factory.Sequence(lambda n: f"sbx_ch_test{n:06d}")
    idempotency_key = factory.LazyFunction(lambda: str(uuid.uuid4()))
    token = "tok_success"
    amount = Decimal("42.50")
    currency = "EUR"
    outcome = SandboxCharge.Outcome.SUCCEEDED


class PaymentFactory(factory.django.DjangoModelFactory):
    """A payment; ``PaymentFactory(captured=True)`` is a captured one with the sandbox
    charge a real capture leaves (``sandbox_charge__token=...`` picks the card token,
    ``sandbox_charge=False`` leaves the ledger out)."""

    class Meta:
        model = Payment
        skip_postgeneration_save = True

    class Params:
        captured = factory.Trait(
            status=Payment.Status.CAPTURED,
            gateway_reference=factory.Sequence(lambda n: f"sbx_ch_pay{n:06d}"),
        )

    order_id = factory.LazyFunction(uuid.uuid4)
    customer_id = factory.LazyFunction(uuid.uuid4)
    amount = Decimal("42.50")
    currency = "EUR"
    idempotency_key = factory.Sequence(lambda n: f"key-{n}")

    @factory.post_generation
    def sandbox_charge(obj: Payment, create: bool, extracted: object, **kwargs: object) -> None:
        if not create or extracted is False or not obj.gateway_reference:
            return
        SandboxChargeFactory(
            reference=obj.gateway_reference,
            idempotency_key=str(obj.id),
            amount=obj.amount,
            currency=obj.currency,
            **kwargs,
        )


class RefundFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Refund

    payment = factory.SubFactory(PaymentFactory, status=Payment.Status.REFUNDED)
    amount = factory.SelfAttribute("payment.amount")
    currency = factory.SelfAttribute("payment.currency")
    status = Refund.Status.SUCCEEDED
    gateway_reference = factory.Sequence(lambda n: f"sbx_re_test{n:06d}")
    reason = "customer asked"
