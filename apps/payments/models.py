"""Payments: one charge attempt for an order, made once per idempotency key; its refund.

The sandbox gateway's own ledger (``SandboxCharge``, ``SandboxRefund``) lives here
too: it stands for the card processor's records, so tests and operators can prove
how many times money really moved.
"""

from __future__ import annotations

import uuid

from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils import timezone

from contracts.payments import PaymentStatus

# Payments that hold an order: one in flight or captured at a time, so two requests
# with different idempotency keys can never both charge the same order.
ACTIVE_STATUSES = (PaymentStatus.PENDING.value, PaymentStatus.CAPTURED.value)


class Payment(models.Model):
    Status = models.TextChoices("Status", [(s.name, s.value) for s in PaymentStatus])

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    order_id = models.UUIDField(db_index=True)
    # No index of its own: the unique (customer_id, idempotency_key) starts with it.
    customer_id = models.UUIDField()
    amount = models.DecimalField(max_digits=12, decimal_places=2)
    currency = models.CharField(max_length=3)
    status = models.CharField(
        max_length=16, choices=Status.choices, default=PaymentStatus.PENDING.value
    )
    gateway_reference = models.CharField(max_length=100, blank=True)
    idempotency_key = models.CharField(max_length=255)
    # SHA-256 of the canonical request body: the same key with another body is refused.
    request_fingerprint = models.CharField(max_length=64, blank=True, default="")
    # The answer given to the request that made this payment, replayed verbatim to
    # every retry with the same key. Empty while the charge is in flight.
    response_status = models.PositiveSmallIntegerField(null=True, blank=True)
    response_body = models.JSONField(null=True, blank=True, encoder=DjangoJSONEncoder)
    failure_code = models.CharField(max_length=64, blank=True, default="")
    failure_message = models.CharField(max_length=500, blank=True, default="")
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            # The single winner among concurrent requests with one key is decided here.
            models.UniqueConstraint(
                fields=["customer_id", "idempotency_key"], name="payment_idempotency_per_customer"
            ),
            models.UniqueConstraint(
                fields=["order_id"],
                condition=models.Q(status__in=ACTIVE_STATUSES),
                name="payment_one_active_per_order",
            ),
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="payment_amount_gt_0"),
        ]
        indexes = [models.Index(fields=["status", "created_at"], name="payment_status_created")]

    def __str__(self) -> str:
        return f"Payment {self.id} ({self.status})"


class Refund(models.Model):
    """A full refund of a captured payment, claimed before the gateway is called."""

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        SUCCEEDED = "succeeded", "Succeeded"
        FAILED = "failed", "Failed"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    payment = models.ForeignKey(Payment, on_delete=models.PROTECT, related_name="refunds")
    amount = models.DecimalField(max_digits=12, decimal_places=2)
    currency = models.CharField(max_length=3)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    gateway_reference = models.CharField(max_length=100, blank=True)
    reason = models.CharField(max_length=500, blank=True)
    # The caller's key (refund_order_payment_v2): a retried call finds this refund.
    idempotency_key = models.CharField(max_length=255, null=True, blank=True, unique=True)
    # An automatic refund of a capture the order would not take (a saga step).
    compensation = models.BooleanField(default=False)
    failure_code = models.CharField(max_length=64, blank=True, default="")
    failure_message = models.CharField(max_length=500, blank=True, default="")
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            # Two staff members pressing "refund" at once: only one claim survives.
            models.UniqueConstraint(
                fields=["payment"],
                condition=models.Q(status__in=["pending", "succeeded"]),
                name="refund_one_active_per_payment",
            )
        ]

    def __str__(self) -> str:
        return f"Refund {self.id} of payment {self.payment_id} ({self.status})"


class SandboxLedgerEntry(models.Model):
    """What the sandbox processor saw for one idempotency key: a charge or a refund."""

    reference = models.CharField(max_length=64)
    idempotency_key = models.CharField(max_length=255)
    amount = models.DecimalField(max_digits=12, decimal_places=2)
    currency = models.CharField(max_length=3)
    outcome = models.CharField(max_length=16)
    decline_code = models.CharField(max_length=64, blank=True, default="")
    # How many times the key was presented: more than one means someone asked twice.
    attempts = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        abstract = True
        ordering = ["-created_at"]
        # Constraints, not unique=True: one unique index each, without the second
        # (LIKE 'prefix%') index Django adds to a unique text column.
        constraints = [
            models.UniqueConstraint(fields=["reference"], name="%(class)s_reference_unique"),
            models.UniqueConstraint(
                fields=["idempotency_key"], name="%(class)s_idempotency_key_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.amount} {self.currency} ({self.outcome})"


class SandboxCharge(SandboxLedgerEntry):
    """One charge the sandbox processor saw (declined ones included)."""

    class Outcome(models.TextChoices):
        SUCCEEDED = "succeeded", "Succeeded"
        DECLINED = "declined", "Declined"
        # Taken but not finished yet (``tok_late``): no answer was given.
        PROCESSING = "processing", "Processing"

    token = models.CharField(max_length=100)
    outcome = models.CharField(max_length=16, choices=Outcome.choices)


class SandboxRefund(SandboxLedgerEntry):
    """One refund the sandbox processor saw."""

    class Outcome(models.TextChoices):
        SUCCEEDED = "succeeded", "Succeeded"
        REFUSED = "refused", "Refused"

    charge = models.ForeignKey(SandboxCharge, on_delete=models.PROTECT, related_name="refunds")
    outcome = models.CharField(max_length=16, choices=Outcome.choices)
