"""The orders part of the demo shop: a small catalog and orders in several states.

Idempotent: products are found by SKU and orders by their deterministic id, so a
second run keeps what exists (and only adds lines to a demo order that has none,
as the first demo data had). The totals of the paid and fulfilled orders match
the demo payments of the payments app.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from apps.orders.models import Order, OrderLine, Product
from contracts import demo
from contracts.orders import OrderStatus

# sku, name, price (EUR), stock, active
DEMO_PRODUCTS = (
    ("SEAM-TEE", "Seams T-shirt", Decimal("19.99"), 120, True),
    ("SEAM-MUG", "Seams mug", Decimal("9.50"), 80, True),
    ("SEAM-HOODIE", "Seams hoodie", Decimal("49.90"), 40, True),
    ("SEAM-STICKERS", "Sticker pack", Decimal("5.00"), 500, True),
    ("SEAM-BACKPACK", "Seams backpack", Decimal("95.00"), 15, True),
    ("SEAM-NOTEBOOK", "Dotted notebook", Decimal("12.50"), 60, True),
    ("SEAM-BOTTLE", "Steel water bottle", Decimal("18.00"), 0, True),
    ("SEAM-POSTER-2024", "2024 conference poster", Decimal("7.00"), 3, False),
)

# customer email, number, status, ((sku, quantity), ...)
DEMO_ORDERS = (
    (
        "ada@example.com",
        1,
        OrderStatus.PENDING_PAYMENT,
        (("SEAM-HOODIE", 1), ("SEAM-STICKERS", 2)),
    ),
    ("ada@example.com", 2, OrderStatus.PAID, (("SEAM-TEE", 1),)),
    (
        "grace@example.com",
        1,
        OrderStatus.FULFILLED,
        (("SEAM-BACKPACK", 1), ("SEAM-NOTEBOOK", 2)),
    ),
    ("alan@example.com", 1, OrderStatus.CANCELLED, (("SEAM-MUG", 1),)),
)


@transaction.atomic
def seed(*, log: Callable[[str], None]) -> None:
    products = {}
    for sku, name, price, stock, active in DEMO_PRODUCTS:
        product, created = Product.objects.get_or_create(
            sku=sku,
            defaults={
                "id": demo.demo_id("product", sku),
                "name": name,
                "price": price,
                "currency": "EUR",
                "stock": stock,
                "active": active,
            },
        )
        products[sku] = product
        log(f"orders: product {sku} ({'created' if created else 'kept'})")
    for email, number, status, lines in DEMO_ORDERS:
        total = sum((products[sku].price * qty for sku, qty in lines), Decimal("0.00"))
        order, created = Order.objects.get_or_create(
            id=demo.demo_id("order", f"{email}:{number}"),
            defaults={
                "customer_id": demo.demo_id("user", email),
                "status": status.value,
                "total": total,
                "currency": "EUR",
                **_history(status, email, number),
            },
        )
        if not order.lines.exists():
            OrderLine.objects.bulk_create(
                OrderLine(
                    order=order,
                    product=products[sku],
                    sku=sku,
                    name=products[sku].name,
                    unit_price=products[sku].price,
                    quantity=qty,
                )
                for sku, qty in lines
            )
        log(f"orders: {email} #{number} {status.value} ({'created' if created else 'kept'})")


def _history(status: OrderStatus, email: str, number: int) -> dict[str, object]:
    """The timestamps and ids an order in ``status`` would have collected."""
    now = timezone.now()
    payment_id = demo.demo_id("payment", f"demo-{email}-{number}")
    if status is OrderStatus.PAID:
        return {"paid_at": now, "payment_id": payment_id}
    if status is OrderStatus.FULFILLED:
        return {"paid_at": now, "fulfilled_at": now, "payment_id": payment_id}
    if status is OrderStatus.CANCELLED:
        return {"cancelled_at": now, "cancel_reason": "changed their mind"}
    # The demo payments include a declined first attempt at this order.
    return {
        "last_payment_failure_code": "payments.card_declined",
        "last_payment_failure_message": "The sandbox declined the charge (card_declined).",
        "last_payment_failed_at": now,
    }
