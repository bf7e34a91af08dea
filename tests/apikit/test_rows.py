"""``apikit.rows``: SQL written once must read exactly what the ORM reads.

The orders read (``selectors.order_get``) is built on it; every field of the order
and its lines must come back as the ORM would give it, with the backend's
converters, on PostgreSQL here and on SQLite (the embedded default) in a
subprocess.
"""

from __future__ import annotations

import os
import uuid
from datetime import timedelta

import pytest
from django.utils import timezone

from apps.orders import selectors
from apps.orders.models import Order
from tests.e2e.test_embedded_run import manage
from tests.factories.orders import OrderFactory, ProductFactory

pytestmark = pytest.mark.django_db


def snapshot(order: Order) -> tuple[dict[str, object], list[dict[str, object]]]:
    fields = {f.attname: getattr(order, f.attname) for f in Order._meta.concrete_fields}
    lines = [
        {f.attname: getattr(line, f.attname) for f in type(line)._meta.concrete_fields}
        for line in order.lines.all()
    ]
    return fields, lines


def test_an_order_and_its_lines_read_as_the_orm_reads_them(customer):
    # given: an order with every kind of field set, nullable ones included, and two lines
    order = OrderFactory.with_lines(
        (ProductFactory(), 2), (ProductFactory(), 1), customer_id=customer.pk
    )
    Order.objects.filter(pk=order.pk).update(
        paid_at=timezone.now() - timedelta(minutes=3),
        last_payment_failure_code="payments.card_declined",
        last_payment_failed_at=timezone.now() - timedelta(minutes=5),
    )
    expected = snapshot(Order.objects.prefetch_related("lines").get(pk=order.pk))
    # when
    found = selectors.order_get(order_id=order.id, customer_id=customer.pk)
    # then
    assert snapshot(found) == expected
    assert [type(v) for v in snapshot(found)[0].values()] == [type(v) for v in expected[0].values()]
    assert all(line.order is found for line in found.lines.all())
    assert found._state.adding is False and found._state.db == "default"


def test_an_order_without_lines_is_read_in_one_statement(customer, django_assert_num_queries):
    order = OrderFactory(customer_id=customer.pk)
    with django_assert_num_queries(1):
        found = selectors.order_get(order_id=order.id, customer_id=customer.pk)
    assert snapshot(found) == snapshot(Order.objects.get(pk=order.pk))
    assert list(found.lines.all()) == []


@pytest.mark.django_db(transaction=True)
def test_a_lookup_reads_the_row_the_orm_reads_and_locks_only_in_a_transaction(customer):
    from django.db import transaction
    from django.db.transaction import TransactionManagementError

    from apikit.rows import Lookup
    from apps.users.models import User

    by_id = Lookup(User, "id")
    locked = Lookup(User, "id", for_update=True)
    found = by_id(customer.pk)
    expected = User.objects.get(pk=customer.pk)
    assert {f.attname: getattr(found, f.attname) for f in User._meta.concrete_fields} == {
        f.attname: getattr(expected, f.attname) for f in User._meta.concrete_fields
    }
    assert by_id(uuid.uuid4()) is None
    with pytest.raises(TransactionManagementError):
        locked(customer.pk)
    with transaction.atomic():
        assert locked(customer.pk) == expected


SQLITE_CHECK = """
from datetime import timedelta
from django.utils import timezone
from apps.orders import selectors, services
from apps.orders.models import Order, Product
from apps.users.models import User
user = User.objects.create_user(email="rows@example.com", password="x-long-password-1")
Product.objects.create(sku="ROWS-1", name="Rows", price="12.50", currency="EUR", stock=5)
placed = services.order_place(customer_id=user.id, lines=[("ROWS-1", 2)])
Order.objects.filter(pk=placed.pk).update(paid_at=timezone.now() - timedelta(minutes=1))
def snap(order):
    fields = {f.attname: getattr(order, f.attname) for f in Order._meta.concrete_fields}
    lines = [{f.attname: getattr(l, f.attname) for f in type(l)._meta.concrete_fields}
             for l in order.lines.all()]
    return fields, lines
orm = snap(Order.objects.prefetch_related("lines").get(pk=placed.pk))
ours = snap(selectors.order_get(order_id=placed.id, customer_id=user.id))
assert ours == orm, (ours, orm)
from apps.payments.selectors import payment_get_by_key
assert payment_get_by_key(customer_id=user.id, idempotency_key="none-such") is None
assert [type(v) for v in ours[0].values()] == [type(v) for v in orm[0].values()], ours
# The compare-and-set transition to paid (UPDATE … RETURNING), and a claim by key
import uuid
from django.db import transaction
from apps.payments import services as payments
from contracts.orders import OrderForPayment, OrderStatus
second = services.order_place(customer_id=user.id, lines=[("ROWS-1", 1)])
from django.db import connection
from django.test.utils import CaptureQueriesContext
from apps.orders import payment_transitions
def capture(amount):
    return payment_transitions.order_apply_capture(
        order_id=second.id, payment_id=uuid.uuid4(), amount=amount, currency="EUR")
with transaction.atomic():
    assert capture(second.total + 1).status == "pending_payment"  # rejected: another amount
    with CaptureQueriesContext(connection) as written:
        paid = capture(second.total)
# one UPDATE … AND NOT EXISTS … RETURNING, then OrderPaid's outbox row
assert len(written) == 2 and "NOT EXISTS" in written[0]["sql"], written.captured_queries
stored = Order.objects.get(pk=second.pk)
assert paid is not None and stored.status == "paid", stored.status
assert snap(paid)[0] == snap(stored)[0], (snap(paid)[0], snap(stored)[0])
dto = OrderForPayment(order_id=placed.id, customer_id=user.id, amount=placed.total,
                      currency="EUR", status=OrderStatus.PENDING_PAYMENT)
assert payments.payment_claim(order=dto, idempotency_key="k", request_fingerprint="f")
assert payments.payment_claim(order=dto, idempotency_key="k", request_fingerprint="f") is None
print("same", len(ours[1]))
"""


@pytest.mark.timeout(180)
def test_on_sqlite_the_converters_give_the_orm_types(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "SECRET_KEY"}}
    env.update(DEBUG="1", DATABASE_URL=f"sqlite:///{tmp_path / 'rows.sqlite3'}")

    migrated = manage(env, "migrate", "--noinput", "-v", "0")
    assert migrated.returncode == 0, migrated.stderr
    checked = manage(env, "shell", "-v", "0", "-c", SQLITE_CHECK)
    assert checked.returncode == 0, checked.stderr
    assert checked.stdout.strip() == "same 1"


def test_an_insert_writes_what_save_would_and_gets_its_automatic_key(customer):
    from decimal import Decimal

    from apikit.rows import insert
    from apps.orders.models import OrderLine

    # given: an order (UUID key, auto_now) and a line (automatic integer key, foreign keys)
    product = ProductFactory()
    order = insert(Order(customer_id=customer.pk, total=Decimal("9.99"), currency="EUR"))
    line = insert(
        OrderLine(
            order=order,
            product=product,
            sku=product.sku,
            name="n",
            unit_price=Decimal("9.99"),
            quantity=1,
        )
    )
    # then: the rows read back equal the objects, keys and auto_now included
    assert isinstance(line.pk, int) and line._state.adding is False
    assert order.updated_at is not None
    stored = snapshot(Order.objects.prefetch_related("lines").get(pk=order.pk))
    assert stored[0] == {f.attname: getattr(order, f.attname) for f in Order._meta.concrete_fields}
    assert stored[1] == [
        {f.attname: getattr(line, f.attname) for f in OrderLine._meta.concrete_fields}
    ]


def test_an_update_writes_the_named_fields_stamps_auto_now_and_refuses_a_gone_row(customer):
    from django.db import DatabaseError

    from apikit.rows import update

    # given: an order read earlier
    order = OrderFactory(customer_id=customer.pk)
    before = order.updated_at
    # when: two fields change, one of them named, plus the auto_now stamp
    order.status, order.cancel_reason = "cancelled", "not written"
    update(order, ["status", "updated_at"])
    # then: only the named fields were written, updated_at moved on
    stored = Order.objects.get(pk=order.pk)
    assert (stored.status, stored.cancel_reason) == ("cancelled", "")
    assert stored.updated_at == order.updated_at and stored.updated_at > before
    Order.objects.filter(pk=order.pk).delete()
    with pytest.raises(DatabaseError):
        update(order, ["status"])


def test_insert_unless_taken_writes_once_per_unique_value():
    from decimal import Decimal

    from apikit.rows import insert_unless_taken
    from apps.payments.models import SandboxCharge

    def charge(reference: str) -> SandboxCharge:
        return SandboxCharge(
            reference=reference,
            idempotency_key="k-1",
            token="tok_success",
            amount=Decimal("5.00"),
            currency="EUR",
            outcome="succeeded",
        )

    first, second = charge("sbx_ch_first"), charge("sbx_ch_second")
    assert insert_unless_taken(first, "idempotency_key") is True
    assert insert_unless_taken(second, "idempotency_key") is False
    assert first.pk is not None and second.pk is None and second._state.adding
    assert list(SandboxCharge.objects.values_list("reference", flat=True)) == ["sbx_ch_first"]


def test_insert_unless_taken_on_a_constraint_of_two_fields_leaves_the_others_to_raise(customer):
    from django.db import IntegrityError, transaction

    from apikit.rows import insert_unless_taken
    from apps.payments.models import Payment

    order = OrderFactory(customer_id=customer.pk)

    def payment(key: str) -> Payment:
        return Payment(
            order_id=order.pk,
            customer_id=customer.pk,
            amount=order.total,
            currency=order.currency,
            idempotency_key=key,
        )

    # given: a pending payment of the order with key k-1
    assert insert_unless_taken(payment("k-1"), "customer_id", "idempotency_key") is True
    # when/then: the same customer and key is taken; another key for the same order
    # breaks the one-active-payment constraint, which the insert does not swallow
    assert insert_unless_taken(payment("k-1"), "customer_id", "idempotency_key") is False
    with pytest.raises(IntegrityError), transaction.atomic():
        insert_unless_taken(payment("k-2"), "customer_id", "idempotency_key")
    assert list(Payment.objects.values_list("idempotency_key", flat=True)) == ["k-1"]
    with pytest.raises(TypeError):
        insert_unless_taken(payment("k-3"))


def test_update_if_is_a_compare_and_set(customer):
    from apikit.rows import update_if

    # given: an order read while pending, then cancelled by someone else
    order = OrderFactory(customer_id=customer.pk, status="pending_payment")
    stale = Order.objects.get(pk=order.pk)
    Order.objects.filter(pk=order.pk).update(status="cancelled", cancel_reason="customer")
    # when: the stale copy is paid only if still pending
    stale.status = "paid"
    written = update_if(stale, ["status", "updated_at"], status="pending_payment")
    # then: nothing was written; on the current row the same condition holds and writes
    assert written is False
    assert Order.objects.values_list("status", flat=True).get(pk=order.pk) == "cancelled"
    current = Order.objects.get(pk=order.pk)
    current.cancel_reason = "kept"
    assert update_if(current, ["cancel_reason", "updated_at"], status="cancelled") is True
    stored = Order.objects.get(pk=order.pk)
    assert (stored.cancel_reason, stored.updated_at) == ("kept", current.updated_at)


@pytest.mark.parametrize("returns_rows", [True, False], ids=["returning", "read-after"])
def test_update_returning_answers_with_the_row_as_written(customer, returns_rows, monkeypatch):
    from django.db import connection

    from apikit.rows import Columns, update_returning

    # (a database that cannot return updated rows reads the row after the update)
    monkeypatch.setattr(connection.features, "can_return_columns_from_insert", returns_rows)

    order = OrderFactory(customer_id=customer.pk, status="pending_payment")
    columns = Columns(Order, Order._meta.db_table)
    change = Order(id=order.pk, status="cancelled", cancel_reason="customer")
    fields = ["status", "cancel_reason", "updated_at"]
    # when: written only if still pending, twice
    written = update_returning(change, fields, columns, status="pending_payment")
    again = update_returning(change, fields, columns, status="pending_payment")
    # then: the first answers with the whole row as the ORM reads it; the second wrote nothing
    assert again is None
    stored = Order.objects.get(pk=order.pk)
    assert written is not None and written._state.adding is False
    assert {f.attname: getattr(written, f.attname) for f in Order._meta.concrete_fields} == {
        f.attname: getattr(stored, f.attname) for f in Order._meta.concrete_fields
    }
    assert (stored.status, stored.customer_id) == ("cancelled", customer.pk)


def test_update_returning_unless_a_row_exists_elsewhere(customer):
    from apikit.rows import Columns, Lookup, update_returning
    from apps.orders.models import OrderHistoryEntry

    noted = Lookup(OrderHistoryEntry, "order", "kind")
    columns = Columns(Order, Order._meta.db_table)
    blocked, free = (OrderFactory(customer_id=customer.pk) for _ in range(2))
    OrderHistoryEntry.objects.create(order=blocked, kind="refund_noted")
    # when: each is cancelled unless a refund was noted for it
    results = [
        update_returning(
            Order(id=order.pk, status="cancelled"),
            ["status"],
            columns,
            unless=(noted, (order.pk, "refund_noted")),
        )
        for order in (blocked, free)
    ]
    # then: only the order without the note changed
    assert results[0] is None and results[1] is not None
    assert results[1].status == "cancelled"
    assert Order.objects.get(pk=blocked.pk).status == blocked.status
