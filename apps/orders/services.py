"""Writes of the orders app: placing orders and the order state machine (the catalog:
``apps.orders.catalog``).

State machine (each arrow is one function, here or in ``payment_transitions``, that
locks the order row, checks the source state, saves with ``update_fields`` and
publishes its event)::

    pending_payment ─order_apply_capture─▶ paid ──order_fulfil──▶ fulfilled
          │                               │  ▲                       │
     order_cancel          order_refund_request  order_refund_declined │
          ▼                               ▼  │                       │
      cancelled                     refund_requested                 │
                                          │                          │
                                   order_apply_refund ◀──────────────┘
                                          ▼
                                       refunded

``refund_requested`` is taken under the order's row lock before payments is asked
for the refund, so a refund and a fulfilment of one order can never both win.

Locks are always taken in the same order — the order row first, then its
products by primary key — so two transactions never wait on each other in a cycle.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from decimal import Decimal
from uuid import UUID

from django.db import transaction
from django.db.models import Case, F, When
from django.utils import timezone

from apikit import rows
from apps.orders.error_codes import (
    CustomerInactive,
    CustomerUnknown,
    IllegalTransition,
    InvalidOrderLines,
    MixedCurrencies,
    OutOfStock,
    PaymentMismatch,
    ProductInactive,
    ProductUnknown,
    RefundInProgress,
)
from apps.orders.models import REFUND_REQUESTED, Order, OrderLine, Product
from contracts import get, publish
from contracts.orders import (
    OrderCancelled,
    OrderFulfilled,
    OrderLineSnapshot,
    OrderNotFound,
    OrderPaid,
    OrderPlaced,
    OrderRefunded,
    OrderStatus,
)
from contracts.users import UserNotFound, UsersService

logger = logging.getLogger(__name__)

PENDING = OrderStatus.PENDING_PAYMENT.value
PAID = OrderStatus.PAID.value
FULFILLED = OrderStatus.FULFILLED.value
CANCELLED = OrderStatus.CANCELLED.value
REFUNDED = OrderStatus.REFUNDED.value

MAX_LINES = 100
MAX_QUANTITY = 1000


# --- Placing an order --------------------------------------------------------------------


def order_place(*, customer_id: UUID, lines: Sequence[tuple[str, int]]) -> Order:
    """Reserve the stock of ``lines`` ((sku, quantity) pairs) and create a pending order.

    The customer is checked through the users contract before the transaction
    opens: a contract may be a remote call, and none may run inside a transaction.
    """
    wanted = _merge_lines(lines)
    _ensure_customer_may_buy(customer_id)
    return _order_create(customer_id=customer_id, wanted=wanted)


def _merge_lines(lines: Sequence[tuple[str, int]]) -> dict[str, int]:
    if not lines or len(lines) > MAX_LINES:
        raise InvalidOrderLines(details={"lines": f"between 1 and {MAX_LINES} lines"})
    wanted: dict[str, int] = {}
    for sku, quantity in lines:
        if isinstance(quantity, bool) or not isinstance(quantity, int) or quantity < 1:
            raise InvalidOrderLines(details={"sku": sku, "quantity": quantity})
        wanted[sku] = wanted.get(sku, 0) + quantity
        if wanted[sku] > MAX_QUANTITY:
            raise InvalidOrderLines(
                f"At most {MAX_QUANTITY} of one product per order.", details={"sku": sku}
            )
    return wanted


def _ensure_customer_may_buy(customer_id: UUID) -> None:
    try:
        customer = get(UsersService).get_user(user_id=customer_id)
    except UserNotFound:
        raise CustomerUnknown(details={"customer_id": str(customer_id)}) from None
    if not customer.is_active:
        raise CustomerInactive(details={"customer_id": str(customer_id)})


_PRODUCT = rows.Columns(Product, Product._meta.db_table)
_PRODUCTS_LOCKED_SQL: dict[tuple[str, int], str] = {}


def _products_locked(skus: list[str]) -> list[Product]:
    """The products of ``skus`` under their row locks, in primary-key order.

    Every order placed starts here: the SQL is written once per number of SKUs
    (``apikit.rows``), not compiled by the ORM per request.
    """
    connection = transaction.get_connection()
    key = (connection.alias, len(skus))
    sql = _PRODUCTS_LOCKED_SQL.get(key)
    if sql is None:
        sql = rows.select_sql(connection, _PRODUCT, [("sku", len(skus))], order_by="id", lock=True)
        _PRODUCTS_LOCKED_SQL[key] = sql
    with connection.cursor() as cursor:
        cursor.execute(sql, skus)
        found = cursor.fetchall()
    return [_PRODUCT.build(connection, row) for row in found]  # type: ignore[misc]


@transaction.atomic
def _order_create(*, customer_id: UUID, wanted: dict[str, int]) -> Order:
    # Row locks in primary-key order: concurrent orders of overlapping products queue
    # up instead of deadlocking, and each sees the stock the previous one left.
    products = _products_locked(list(wanted))
    by_sku = {p.sku: p for p in products}
    unknown = [sku for sku in wanted if sku not in by_sku]
    if unknown:
        raise ProductUnknown(details={"skus": unknown})
    inactive = [sku for sku in wanted if not by_sku[sku].active]
    if inactive:
        raise ProductInactive(details={"skus": inactive})
    currencies = sorted({p.currency for p in products})
    if len(currencies) > 1:
        raise MixedCurrencies(details={"currencies": currencies})
    short = [
        {"sku": sku, "requested": qty, "available": by_sku[sku].stock}
        for sku, qty in wanted.items()
        if by_sku[sku].stock < qty
    ]
    if short:
        raise OutOfStock(details={"lines": short})

    # One UPDATE for every product of the order, not one per line. The rows are
    # locked: the stock just read is the stock, so one product's new value is
    # written as it is, with its UPDATE written once (apikit.rows).
    if len(products) == 1:
        (product,) = products
        product.stock -= wanted[product.sku]
        rows.update(product, ["stock", "updated_at"])
    else:
        Product.objects.filter(pk__in=[p.pk for p in products]).update(
            stock=Case(*(When(pk=p.pk, then=F("stock") - wanted[p.sku]) for p in products)),
            updated_at=timezone.now(),
        )
    # The order and (one at a time, or all in one statement) its lines: INSERTs written
    # once (apikit.rows).
    order = rows.insert(
        Order(
            customer_id=customer_id,
            status=PENDING,
            total=sum((by_sku[sku].price * qty for sku, qty in wanted.items()), Decimal("0.00")),
            currency=currencies[0],
        )
    )
    order_lines = [
        OrderLine(
            order=order,
            product=by_sku[sku],
            sku=sku,
            name=by_sku[sku].name,
            unit_price=by_sku[sku].price,
            quantity=qty,
        )
        for sku, qty in wanted.items()
    ]
    if len(order_lines) == 1:
        rows.insert(order_lines[0])
    else:
        OrderLine.objects.bulk_create(order_lines)
    publish(
        OrderPlaced(
            order_id=order.id,
            customer_id=order.customer_id,
            total=order.total,
            currency=order.currency,
            lines=tuple(
                OrderLineSnapshot(sku=line.sku, quantity=line.quantity, unit_price=line.unit_price)
                for line in order_lines
            ),
        )
    )
    # Whoever renders the new order (the API answers with it) would otherwise read
    # back the lines this transaction has just written.
    order.remember_lines(order_lines)
    return order


# --- The state machine -------------------------------------------------------------------


# The orders' transitions all start here: the SQL is written once (apikit.rows).
_ORDER_LOCKED = rows.Lookup(Order, "id", for_update=True)


def order_lock(order_id: UUID, *, allowed: Iterable[str] | None = None, to: str = "") -> Order:
    """The order under its row lock, for the caller's transaction (``OrderNotFound`` if none).

    With ``allowed``, an order in any other state is refused: ``IllegalTransition`` to ``to``.
    """
    order = _ORDER_LOCKED(order_id)
    if order is None:
        raise OrderNotFound(details={"order_id": str(order_id)})
    if allowed is not None:
        _check_transition(order, allowed=allowed, to=to)
    return order


def _check_transition(order: Order, *, allowed: Iterable[str], to: str) -> None:
    if order.status not in allowed:
        raise IllegalTransition.between(order_id=order.id, from_status=order.status, to_status=to)


def _release_stock(*orders: Order) -> None:
    """Give the reserved quantities of ``orders`` back to their products.

    All the products are locked at once, by pk, like ``order_place`` does: locking
    them order by order would take the locks out of that one global order.
    """
    quantities: dict[UUID, int] = {}
    for product_id, quantity in OrderLine.objects.filter(order__in=orders).values_list(
        "product_id", "quantity"
    ):
        quantities[product_id] = quantities.get(product_id, 0) + quantity
    locked = Product.objects.filter(pk__in=list(quantities)).order_by("pk").select_for_update()
    now = timezone.now()
    for product_id in locked.values_list("pk", flat=True):
        Product.objects.filter(pk=product_id).update(
            stock=F("stock") + quantities[product_id], updated_at=now
        )


def order_mark_locked_paid(
    order: Order, *, payment_id: UUID, amount: Decimal, currency: str
) -> Order:
    """pending_payment → paid, once payments has captured exactly the order's total, for a
    caller that holds the order's row lock in its transaction (``order_apply_capture``).

    Refuses any other state (``IllegalTransition``) and any other amount or currency
    (``PaymentMismatch``) before it writes anything.
    """
    _check_transition(order, allowed={PENDING}, to=PAID)
    if (amount, currency) != (order.total, order.currency):
        raise PaymentMismatch(
            details={
                "order_id": str(order.id),
                "expected": f"{order.total} {order.currency}",
                "captured": f"{amount} {currency}",
            }
        )
    order.status, order.payment_id, order.paid_at = PAID, payment_id, timezone.now()
    rows.update(order, PAID_FIELDS)
    publish(OrderPaid(order_id=order.id, customer_id=order.customer_id, payment_id=payment_id))
    return order


PAID_FIELDS = ["status", "payment_id", "paid_at", "updated_at"]


@transaction.atomic
def order_record_payment_failure(*, order_id: UUID, code: str, message: str) -> Order:
    """A payment attempt failed: no transition, the order keeps the reason (in any state,
    so that the same facts give the same order whatever order they arrive in)."""
    order = order_lock(order_id)
    order.last_payment_failure_code = code[:100]
    order.last_payment_failure_message = message[:500]
    order.last_payment_failed_at = timezone.now()
    order.save(
        update_fields=[
            "last_payment_failure_code",
            "last_payment_failure_message",
            "last_payment_failed_at",
            "updated_at",
        ]
    )
    return order


@transaction.atomic
def order_fulfil(*, order_id: UUID) -> Order:
    """paid → fulfilled (the goods have left the warehouse).

    An order whose refund is in progress (``refund_requested``) cannot be fulfilled:
    409 ``orders.refund_in_progress``.
    """
    order = order_lock(order_id, allowed={PAID, REFUND_REQUESTED}, to=FULFILLED)
    if order.status == REFUND_REQUESTED:
        raise RefundInProgress(details={"order_id": str(order.id)})
    order.status, order.fulfilled_at = FULFILLED, timezone.now()
    order.save(update_fields=["status", "fulfilled_at", "updated_at"])
    publish(OrderFulfilled(order_id=order.id, customer_id=order.customer_id))
    return order


@transaction.atomic
def order_cancel(*, order_id: UUID, reason: str) -> Order:
    """pending_payment → cancelled, giving the reserved stock back."""
    return order_cancel_locked(order_lock(order_id), reason=reason)


def order_cancel_locked(order: Order, *, reason: str) -> Order:
    """The transition of ``order_cancel`` for a caller that holds the order's row lock
    in its transaction (no second read of the row)."""
    _check_transition(order, allowed={PENDING}, to=CANCELLED)
    _release_stock(order)
    _cancel_locked(order, reason=reason)
    return order


def _cancel_locked(order: Order, *, reason: str) -> None:
    """Mark a locked pending order cancelled; its stock is the caller's to release."""
    order.status, order.cancel_reason, order.cancelled_at = CANCELLED, reason[:200], timezone.now()
    order.save(update_fields=["status", "cancel_reason", "cancelled_at", "updated_at"])
    publish(OrderCancelled(order_id=order.id, customer_id=order.customer_id, reason=reason))


def order_mark_locked_refunded(order: Order, *, payment_id: UUID) -> Order:
    """paid, refund_requested or fulfilled → refunded: payments gave the money back. For a
    caller that holds the order's row lock in its transaction (``order_apply_refund``).

    Stock is given back unless the goods had shipped (fulfilled).
    """
    _check_transition(order, allowed={PAID, REFUND_REQUESTED, FULFILLED}, to=REFUNDED)
    if order.status != FULFILLED:
        _release_stock(order)
    order.status, order.refunded_at = REFUNDED, timezone.now()
    order.save(update_fields=["status", "refunded_at", "updated_at"])
    publish(OrderRefunded(order_id=order.id, customer_id=order.customer_id, payment_id=payment_id))
    return order


@transaction.atomic
def order_cancel_pending_of_customer(*, customer_id: UUID, reason: str) -> list[Order]:
    """Cancel every pending order of a customer, giving their stock back."""
    orders = list(
        Order.objects.select_for_update()
        .filter(customer_id=customer_id, status=PENDING)
        .order_by("pk")
    )
    _release_stock(*orders)
    for order in orders:
        _cancel_locked(order, reason=reason)
    return orders
