"""Reads of the orders app."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from uuid import UUID

from django.db.models import Count, QuerySet, Sum

from apps.orders.error_codes import ProductNotFound
from apps.orders.models import Order, OrderLine, Product
from contracts.orders import OrderNotFound, OrderStatus


def order_get(*, order_id: UUID, customer_id: UUID | None = None, with_lines: bool = True) -> Order:
    """The order (and its lines unless ``with_lines`` is off); another customer's is not found.

    With its lines, one statement reads both (the lines joined to their order);
    only an order without lines needs a second one. Without, one statement reads
    the order: what paying it, or checking who may cancel it, needs.
    """
    if with_lines:
        lines = OrderLine.objects.select_related("order").filter(order_id=order_id)
        if customer_id is not None:
            lines = lines.filter(order__customer_id=customer_id)
        found = list(lines.order_by("id"))
        if found:
            order = found[0].order
            for line in found:
                line.order = order
            order.remember_lines(found)
            return order
    orders = Order.objects.filter(id=order_id)
    if customer_id is not None:
        orders = orders.filter(customer_id=customer_id)
    order = orders.order_by().first()
    if order is None:
        raise OrderNotFound(details={"order_id": str(order_id)})
    if with_lines:
        order.remember_lines([])
    return order


def order_list(*, customer_id: UUID | None = None) -> QuerySet[Order]:
    """Orders, newest first: a customer's own (``customer_id``) or every order (staff)."""
    orders = Order.objects.prefetch_related("lines").order_by("-created_at", "-id")
    return orders if customer_id is None else orders.filter(customer_id=customer_id)


def order_ids_stale(*, placed_before: datetime) -> list[UUID]:
    """Orders still waiting for payment that were placed before ``placed_before``, oldest first."""
    return list(
        Order.objects.filter(status=OrderStatus.PENDING_PAYMENT.value, created_at__lt=placed_before)
        .order_by("created_at", "id")
        .values_list("id", flat=True)
    )


CENT = Decimal("0.01")


@dataclass(frozen=True)
class StatusFigures:
    status: str
    currency: str
    orders: int
    amount: Decimal


def order_figures_by_status(
    *, since: datetime | None = None, until: datetime | None = None
) -> list[StatusFigures]:
    """Number and total amount of the orders placed in [since, until), by status and currency."""
    orders = Order.objects.all()
    if since is not None:
        orders = orders.filter(created_at__gte=since)
    if until is not None:
        orders = orders.filter(created_at__lt=until)
    rows = (
        orders.order_by()
        .values("status", "currency")
        .annotate(orders=Count("id"), amount=Sum("total"))
        .order_by("status", "currency")
    )
    return [
        StatusFigures(
            status=row["status"],
            currency=row["currency"],
            orders=row["orders"],
            # SQLite sums decimals as floats; money is always shown to the cent.
            amount=Decimal(row["amount"] or 0).quantize(CENT),
        )
        for row in rows
    ]


def product_get(
    *, product_id: UUID | None = None, sku: str | None = None, active_only: bool = False
) -> Product:
    """A product by id or by SKU; with ``active_only`` an inactive product is not found."""
    if (product_id is None) == (sku is None):
        raise TypeError("product_get needs exactly one of product_id and sku")
    products = Product.objects.filter(active=True) if active_only else Product.objects.all()
    product = (
        products.filter(id=product_id) if product_id is not None else products.filter(sku=sku)
    ).first()
    if product is None:
        raise ProductNotFound(
            details={"product_id": str(product_id)} if sku is None else {"sku": sku}
        )
    return product


def product_list(*, include_inactive: bool = False) -> QuerySet[Product]:
    """The catalog by SKU; customers see the products on sale only."""
    products = Product.objects.order_by("sku")
    return products if include_inactive else products.filter(active=True)
