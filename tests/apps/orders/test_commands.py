"""Operator commands of the orders app."""

from __future__ import annotations

import json
from datetime import timedelta
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command, load_command_class
from django.core.management.base import CommandError
from django.utils import timezone

from apps.orders import services
from apps.orders.models import Order
from tests.factories.orders import OrderFactory

pytestmark = pytest.mark.django_db


def run(*args: str) -> str:
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


@pytest.mark.parametrize(
    ("name", "mentions"),
    [
        ("orders_report", "--since"),
        ("restock", "--quantity"),
        ("cancel_stale_orders", "--older-than-hours"),
    ],
)
def test_every_command_explains_itself(name, mentions):
    parser = load_command_class("apps.orders", name).create_parser("manage.py", name)
    text = parser.format_help()
    assert mentions in text
    assert len(load_command_class("apps.orders", name).help) > 60


def test_restock_adds_units(tee):
    assert "TEE: stock 10 → 15" in run("restock", "--sku", "TEE", "--quantity", "5")
    tee.refresh_from_db()
    assert tee.stock == 15


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--sku", "NOPE", "--quantity", "5"), "orders.product_not_found"),
        (("--sku", "TEE", "--quantity", "-11"), "orders.stock_negative"),
        (("--sku", "TEE", "--quantity", "0"), "changes nothing"),
    ],
)
def test_restock_refusals_are_command_errors(tee, args, message):
    with pytest.raises(CommandError, match=message):
        run("restock", *args)
    tee.refresh_from_db()
    assert tee.stock == 10


def test_cancel_stale_orders_cancels_old_pending_orders_and_releases_stock(customer, tee):
    # given
    stale = services.order_place(customer_id=customer.pk, lines=[("TEE", 4)])
    Order.objects.filter(pk=stale.pk).update(created_at=timezone.now() - timedelta(hours=50))
    fresh = services.order_place(customer_id=customer.pk, lines=[("TEE", 1)])
    old_paid = OrderFactory(status="paid", created_at=timezone.now() - timedelta(hours=50))
    # when
    output = run("cancel_stale_orders", "--older-than-hours", "48")
    # then
    statuses = dict(Order.objects.values_list("id", "status"))
    assert statuses == {stale.id: "cancelled", fresh.id: "pending_payment", old_paid.id: "paid"}
    tee.refresh_from_db()
    assert tee.stock == 9
    assert f"[1/1] {stale.id} cancelled, stock released" in output
    assert "cancelled 1, skipped 0" in output


def test_cancel_stale_orders_dry_run_changes_nothing(customer, tee):
    stale = services.order_place(customer_id=customer.pk, lines=[("TEE", 4)])
    Order.objects.filter(pk=stale.pk).update(created_at=timezone.now() - timedelta(hours=5))
    output = run("cancel_stale_orders", "--older-than-hours", "1", "--dry-run")
    assert f"{stale.id} would be cancelled" in output
    stale.refresh_from_db()
    assert stale.status == "pending_payment"


def test_cancel_stale_orders_refuses_a_non_positive_age():
    with pytest.raises(CommandError):
        run("cancel_stale_orders", "--older-than-hours", "0")


def test_orders_report_counts_and_revenue_by_status():
    # given
    today = timezone.now()
    OrderFactory(status="paid", total=Decimal("10.00"), created_at=today)
    OrderFactory(status="fulfilled", total=Decimal("5.00"), created_at=today)
    OrderFactory(status="refunded", total=Decimal("100.00"), created_at=today)
    OrderFactory(status="paid", total=Decimal("50.00"), created_at=today - timedelta(days=60))
    # when
    text = run("orders_report")
    data = json.loads(run("orders_report", "--json"))
    everything = json.loads(run("orders_report", "--all-time", "--json"))
    # then
    assert "revenue EUR: 15.00" in text
    assert "total orders: 3" in text
    assert data["revenue"] == {"EUR": "15.00"}
    assert {(r["status"], r["orders"], r["amount"]) for r in data["by_status"]} == {
        ("paid", 1, "10.00"),
        ("fulfilled", 1, "5.00"),
        ("refunded", 1, "100.00"),
    }
    assert everything["revenue"] == {"EUR": "65.00"}


def test_orders_report_date_range():
    day = timezone.now() - timedelta(days=100)
    OrderFactory(status="paid", total=Decimal("7.00"), created_at=day)
    since = until = timezone.localdate(day).isoformat()
    data = json.loads(run("orders_report", "--since", since, "--until", until, "--json"))
    assert data["revenue"] == {"EUR": "7.00"}
    with pytest.raises(CommandError, match="after"):
        run("orders_report", "--since", "2026-02-02", "--until", "2026-01-01")
    with pytest.raises(CommandError, match="not a date"):
        run("orders_report", "--since", "yesterday")
