"""The catalog and the orders of the shop. The customer is a plain UUID owned by the users app."""

from __future__ import annotations

import uuid
from decimal import Decimal

from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.utils import timezone

from contracts.orders import OrderStatus

currency_code = RegexValidator(r"^[A-Z]{3}$", "Use an ISO 4217 code such as EUR.")
sku_format = RegexValidator(r"^[A-Za-z0-9][A-Za-z0-9._-]*$", "Letters, digits, . _ -")


class Product(models.Model):
    """A product of the catalog; ``stock`` is what can still be ordered."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    sku = models.CharField(
        "SKU",
        max_length=64,
        unique=True,
        validators=[sku_format],
    )
    name = models.CharField(max_length=200)
    # A product is never free: an order of it could never be paid (a charge of 0 is
    # refused by the gateway) and would hold its stock until cancelled.
    price = models.DecimalField(
        max_digits=12, decimal_places=2, validators=[MinValueValidator(Decimal("0.01"))]
    )
    currency = models.CharField(max_length=3, default="EUR", validators=[currency_code])
    stock = models.PositiveIntegerField(default=0)
    active = models.BooleanField(default=True, db_index=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["sku"]
        constraints = [
            # The last line of defence against an oversell: a reservation that would take
            # the stock below zero fails in the database even if a service forgot its lock.
            models.CheckConstraint(condition=models.Q(stock__gte=0), name="product_stock_gte_0"),
            # A price of 0 is refused by every writer, the services included; this is the
            # backstop for a writer that skips them (a shell, a data migration).
            models.CheckConstraint(condition=models.Q(price__gt=0), name="product_price_gt_0"),
        ]

    def __str__(self) -> str:
        return f"{self.sku} — {self.name}"


# A paid order whose refund was asked of payments and not confirmed yet. Taken under
# the order's row lock before the refund call, so fulfilment and refund cannot both
# win. Not part of the orders contract: across it such an order is still "paid".
REFUND_REQUESTED = "refund_requested"


class Order(models.Model):
    Status = models.TextChoices(
        "Status",
        [
            *((s.name, s.value) for s in OrderStatus),
            ("REFUND_REQUESTED", REFUND_REQUESTED),
        ],
    )

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    customer_id = models.UUIDField(db_index=True)
    status = models.CharField(
        max_length=20, choices=Status.choices, default=OrderStatus.PENDING_PAYMENT.value
    )
    total = models.DecimalField(max_digits=12, decimal_places=2)
    currency = models.CharField(max_length=3, default="EUR")
    # The captured payment (an id of the payments app), needed to announce a refund.
    payment_id = models.UUIDField(null=True, blank=True)
    cancel_reason = models.CharField(max_length=200, blank=True, default="")
    # The idempotency key of the refund asked for this order (refund_order_payment_v2):
    # a retried cancel asks again with the same key; a declined refund clears it.
    refund_key = models.CharField(max_length=64, blank=True, default="")
    # The last failed payment attempt; the order stays payable after a failure.
    last_payment_failure_code = models.CharField(max_length=100, blank=True, default="")
    last_payment_failure_message = models.CharField(max_length=500, blank=True, default="")
    last_payment_failed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)
    paid_at = models.DateTimeField(null=True, blank=True)
    fulfilled_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    refunded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["status", "created_at"], name="order_status_created")]

    def __str__(self) -> str:
        return f"Order {self.id} ({self.status})"

    def remember_lines(self, lines: list[OrderLine]) -> None:
        """Make ``self.lines.all()`` answer ``lines`` without a query, as ``prefetch_related`` does.

        For lines read or written together with the order already.
        """
        cached = self.lines.all()
        cached._result_cache = lines
        cached._prefetch_done = True
        self._prefetched_objects_cache = {"lines": cached}


class OrderLine(models.Model):
    """One product of an order, with its sku, name and price as they were when ordered."""

    id = models.BigAutoField(primary_key=True)
    # No index of its own: the unique (order, product) below starts with it.
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="lines", db_index=False)
    # PROTECT: a product that was ever ordered is deactivated, never deleted, so the
    # stock of a cancelled order can be given back to it.
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="order_lines")
    sku = models.CharField("SKU", max_length=64)
    name = models.CharField(max_length=200)
    unit_price = models.DecimalField(max_digits=12, decimal_places=2)
    quantity = models.PositiveIntegerField(validators=[MinValueValidator(1)])

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["order", "product"], name="order_line_once_per_product"
            ),
            models.CheckConstraint(
                condition=models.Q(quantity__gte=1), name="order_line_qty_gte_1"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.quantity} x {self.sku}"

    @property
    def line_total(self) -> Decimal:
        return self.unit_price * self.quantity


class OrderHistoryEntry(models.Model):
    """Something that happened to an order beside its status timestamps: a refund asked
    or declined, a capture refused and given back. Written in the same transaction."""

    class Kind(models.TextChoices):
        REFUND_REQUESTED = "refund_requested", "Refund requested"
        REFUND_DECLINED = "refund_declined", "Refund declined"
        REFUND_FAILED = "refund_failed", "Refund failed"
        REFUND_NOTED = "refund_noted", "Refund noted before its capture"
        CAPTURE_REJECTED = "capture_rejected", "Capture rejected"
        CAPTURE_COMPENSATED = "capture_compensated", "Capture compensated"

    id = models.BigAutoField(primary_key=True)
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="history")
    kind = models.CharField(max_length=32, choices=Kind.choices)
    payment_id = models.UUIDField(null=True, blank=True)
    message = models.CharField(max_length=500, blank=True, default="")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["id"]
        verbose_name_plural = "order history entries"

    def __str__(self) -> str:
        return f"{self.kind} ({self.created_at:%Y-%m-%d %H:%M})"
