"""Reads of the orders app."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from uuid import UUID

from django.db import connections, router
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Count, QuerySet, Sum

from apikit import rows
from apps.orders.error_codes import ProductNotFound
from apps.orders.models import Order, OrderLine, Product
from contracts.orders import OrderNotFound, OrderStatus


def order_get(*, order_id: UUID, customer_id: UUID | None = None, with_lines: bool = True) -> Order:
    """The order (and its lines unless ``with_lines`` is off); another customer's is not found.

    One statement either way: with its lines, the order left-joined to them. Its
    SQL is written once per process (``apikit.rows``): this read serves every
    order page, every payment and every cancel.
    """
    connection = connections[router.db_for_read(Order)]
    params = rows.params(Order, connection, id=order_id)
    if customer_id is not None:
        params += rows.params(Order, connection, customer_id=customer_id)
    sql = _order_sql(connection, with_lines=with_lines, scoped=customer_id is not None)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        found = cursor.fetchall()
    if not found:
        raise OrderNotFound(details={"order_id": str(order_id)})
    order = _ORDER.build(connection, found[0][: _ORDER.width])
    if with_lines:
        lines = []
        for row in found:
            values = row[_ORDER.width :]
            if values[0] is None:  # the join found no line
                continue
            line = _LINE.build(connection, values)
            line.order = order
            lines.append(line)
        order.remember_lines(lines)
    return order


_ORDER = rows.Columns(Order, "o")
_LINE = rows.Columns(OrderLine, "l")
_ORDER_SQL: dict[tuple[str, bool, bool], str] = {}


def _order_sql(connection: BaseDatabaseWrapper, *, with_lines: bool, scoped: bool) -> str:
    key = (connection.alias, with_lines, scoped)
    sql = _ORDER_SQL.get(key)
    if sql is None:
        quote = connection.ops.quote_name
        o, line = quote(_ORDER.alias), quote(_LINE.alias)
        columns = _ORDER.select(connection)
        tables = _ORDER.table(connection)
        if with_lines:
            columns += ", " + _LINE.select(connection)
            tables += (
                f" LEFT OUTER JOIN {_LINE.table(connection)}"
                f" ON ({line}.{quote('order_id')} = {o}.{quote('id')})"
            )
        where = f"{o}.{quote('id')} = %s"
        if scoped:
            where += f" AND {o}.{quote('customer_id')} = %s"
        order_by = f" ORDER BY {line}.{quote('id')}" if with_lines else ""
        # Identifiers from the models' metadata, quoted; every value is a parameter.
        sql = f"SELECT {columns} FROM {tables} WHERE {where}{order_by}"  # noqa: S608
        _ORDER_SQL[key] = sql
    return sql


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
