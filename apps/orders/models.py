"""Orders of the shop. The customer is a plain UUID owned by the users app."""

from __future__ import annotations

import uuid

from django.db import models
from django.utils import timezone

from contracts.orders import OrderStatus


class Order(models.Model):
    Status = models.TextChoices("Status", [(s.name, s.value) for s in OrderStatus])

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    customer_id = models.UUIDField(db_index=True)
    status = models.CharField(
        max_length=20, choices=Status.choices, default=OrderStatus.PENDING_PAYMENT.value
    )
    total = models.DecimalField(max_digits=12, decimal_places=2)
    currency = models.CharField(max_length=3, default="EUR")
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Order {self.id} ({self.status})"
