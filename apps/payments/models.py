"""Payments: one charge attempt for an order, made once per idempotency key."""

from __future__ import annotations

import uuid

from django.db import models
from django.utils import timezone

from contracts.payments import PaymentStatus


class Payment(models.Model):
    Status = models.TextChoices("Status", [(s.name, s.value) for s in PaymentStatus])

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    order_id = models.UUIDField(db_index=True)
    customer_id = models.UUIDField(db_index=True)
    amount = models.DecimalField(max_digits=12, decimal_places=2)
    currency = models.CharField(max_length=3)
    status = models.CharField(
        max_length=16, choices=Status.choices, default=PaymentStatus.PENDING.value
    )
    gateway_reference = models.CharField(max_length=100, blank=True)
    idempotency_key = models.CharField(max_length=255)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["customer_id", "idempotency_key"], name="payment_idempotency_per_customer"
            )
        ]

    def __str__(self) -> str:
        return f"Payment {self.id} ({self.status})"
