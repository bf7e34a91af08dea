"""The operator's commands: payments_report, resolve_stuck_payments, reconcile_sandbox."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from apps.payments.models import Payment, SandboxCharge
from tests.factories.orders import OrderFactory
from tests.factories.payments import PaymentFactory, RefundFactory, SandboxChargeFactory


def run(*args: str) -> str:
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


@pytest.mark.parametrize(
    "command", ["payments_report", "resolve_stuck_payments", "reconcile_sandbox"]
)
def test_help_explains_the_command(command, capsys):
    with pytest.raises(SystemExit):
        call_command(command, "--help")
    text = capsys.readouterr().out
    assert len(text) > 300
    assert "--" in text


# --- payments_report ------------------------------------------------------------------


@pytest.fixture
def november(db):
    day = datetime(2026, 11, 10, 12, tzinfo=UTC)
    PaymentFactory(captured=True, amount=Decimal("10.00"), created_at=day)
    PaymentFactory(captured=True, amount=Decimal("5.50"), created_at=day)
    PaymentFactory(captured=True, amount=Decimal("7.00"), currency="USD", created_at=day)
    PaymentFactory(status="failed", amount=Decimal("3.00"), created_at=day)
    RefundFactory(payment__amount=Decimal("2.00"), payment__created_at=day, created_at=day)
    # outside the range
    PaymentFactory(captured=True, amount=Decimal("99.00"), created_at=day - timedelta(days=30))


def test_the_report_sums_by_status_and_currency_over_the_range(november):
    data = json.loads(
        run("payments_report", "--since", "2026-11-01", "--until", "2026-12-01", "--format", "json")
    )
    assert data["payments"] == [
        {"status": "captured", "currency": "EUR", "count": 2, "amount": "15.50"},
        {"status": "captured", "currency": "USD", "count": 1, "amount": "7.00"},
        {"status": "failed", "currency": "EUR", "count": 1, "amount": "3.00"},
        {"status": "refunded", "currency": "EUR", "count": 1, "amount": "2.00"},
    ]
    assert data["refunds"] == [
        {"status": "succeeded", "currency": "EUR", "count": 1, "amount": "2.00"}
    ]


def test_the_report_prints_a_table(november):
    text = run("payments_report", "--since", "2026-11-01", "--until", "2026-12-01")
    assert "Payments created from 2026-11-01 00:00 to 2026-12-01 00:00 UTC" in text
    assert any(line.split() == ["captured", "EUR", "2", "15.50"] for line in text.splitlines())


def test_an_empty_range_says_so(db):
    assert "(none)" in run("payments_report", "--days", "1")


@pytest.mark.parametrize(
    "args",
    [("--since", "yesterday"), ("--since", "2026-12-01", "--until", "2026-11-01")],
)
def test_bad_dates_are_refused_with_a_clear_error(db, args):
    with pytest.raises(CommandError):
        call_command("payments_report", *args)


# --- resolve_stuck_payments -------------------------------------------------------------


@pytest.fixture
def stuck(db):
    old = timezone.now() - timedelta(hours=2)
    # A real order: a capture for an order that does not exist would be given back.
    order = OrderFactory(total=Decimal("42.50"), currency="EUR")
    charged = PaymentFactory(created_at=old, order_id=order.id, customer_id=order.customer_id)
    SandboxChargeFactory(idempotency_key=str(charged.id), amount=charged.amount)
    lost = PaymentFactory(created_at=old)
    recent = PaymentFactory()
    return charged, lost, recent


def test_a_dry_run_lists_stuck_payments_and_changes_nothing(stuck):
    text = run("resolve_stuck_payments", "--older-than-minutes", "30", "--dry-run")
    charged, lost, recent = stuck
    assert "2 payment(s) pending for more than 30 minute(s)." in text
    assert str(charged.id) in text and str(lost.id) in text and str(recent.id) not in text
    assert set(Payment.objects.values_list("status", flat=True)) == {"pending"}


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_stuck_payments_are_settled_from_the_gateway_with_progress(stuck):
    # when
    text = run("resolve_stuck_payments", "--older-than-minutes", "30")
    # then
    charged, lost, recent = stuck
    statuses = dict(Payment.objects.values_list("pk", "status"))
    assert statuses == {charged.pk: "captured", lost.pk: "failed", recent.pk: "pending"}
    assert Payment.objects.get(pk=lost.pk).failure_code == "payments.payment_abandoned"
    assert "[1/2]" in text and "[2/2]" in text
    assert "Settled: 1 payment captured, 1 payment failed." in text


def test_the_threshold_must_be_positive(db):
    with pytest.raises(CommandError):
        call_command("resolve_stuck_payments", "--older-than-minutes", "0")


# --- reconcile_sandbox -----------------------------------------------------------------


def test_matching_records_reconcile(db):
    PaymentFactory(captured=True)
    PaymentFactory(status="failed")
    assert "match" in run("reconcile_sandbox")


def test_discrepancies_are_listed_and_fail_the_command(db):
    # given: money taken with no payment, a payment with no money, a repeated request
    SandboxChargeFactory(reference="sbx_ch_orphan")
    missing = PaymentFactory(captured=True, sandbox_charge=False)
    repeated = PaymentFactory(captured=True)
    SandboxCharge.objects.filter(reference=repeated.gateway_reference).update(attempts=3)
    out = StringIO()
    # when
    with pytest.raises(CommandError, match="3 discrepancies"):
        call_command("reconcile_sandbox", stdout=out)
    # then
    lines = out.getvalue().splitlines()
    assert any(line.startswith("orphan_charge") and "sbx_ch_orphan" in line for line in lines)
    assert any(line.startswith("missing_charge") and str(missing.id) in line for line in lines)
    assert any(line.startswith("repeated_charge_request") for line in lines)
