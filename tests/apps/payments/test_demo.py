"""The demo payments: idempotent, and consistent with the sandbox ledger."""

from __future__ import annotations

import pytest

from apps.payments import demo
from apps.payments.models import Payment, SandboxCharge
from apps.payments.reconciliation import sandbox_discrepancies
from contracts import demo as demo_ids

pytestmark = pytest.mark.django_db


def test_seeding_twice_keeps_what_exists():
    # when
    lines: list[str] = []
    demo.seed(log=lines.append)
    demo.seed(log=lines.append)
    # then
    assert Payment.objects.count() == len(demo.DEMO_PAYMENTS)
    assert SandboxCharge.objects.count() == len(demo.DEMO_PAYMENTS)
    assert sum("created" in line for line in lines) == len(demo.DEMO_PAYMENTS)
    assert sum("kept" in line for line in lines) == len(demo.DEMO_PAYMENTS)


def test_the_demo_matches_the_sandbox_ledger_and_the_orders_demo():
    demo.seed(log=lambda line: None)
    assert sandbox_discrepancies() == []
    # the orders demo points its paid orders at these payment ids
    paid = Payment.objects.get(id=demo_ids.demo_id("payment", "demo-ada@example.com-2"))
    assert (paid.status, paid.response_status) == ("captured", 201)
    assert paid.order_id == demo_ids.demo_id("order", "ada@example.com:2")
    declined = Payment.objects.get(status="failed")
    assert declined.response_body["code"] == "payments.card_declined"
