"""The SQL a payment costs, counted exactly: an extra read or transaction fails here.

Paying an order is: read the order (orders contract), claim (one INSERT that
also tells a taken key, its own transaction), the sandbox processor's ledger
(standing for the card processor, one INSERT), record (one transaction: a
compare-and-set update with the stored answer, the outbox row), then the
in-process delivery of PaymentCaptured to orders (the inbox, the order's
transition, its own event) and of OrderPaid.
"""

from __future__ import annotations

import pytest

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

# order, claim, the ledger's INSERT, BEGIN + update where pending + outbox + COMMIT
PAYMENTS_STATEMENTS = 7
# extraction's in-process delivery after the commit: PaymentCaptured to orders, one row
# with one local handler (BEGIN, claim the row and mark it published in one UPDATE, the
# inbox row, the order's compare-and-set update to paid — which also checks that no
# refund came first —, OrderPaid's outbox row — written published: no local
# subscriber —, COMMIT; no savepoint). No sweep is due.
DELIVERY_STATEMENTS = 6


def test_paying_an_order_runs_an_exact_number_of_statements(
    pay, order, django_assert_num_queries, statement_budget
):
    with django_assert_num_queries(PAYMENTS_STATEMENTS + DELIVERY_STATEMENTS):
        response = pay(key="budget")
    assert response.status_code == 201
    order.refresh_from_db()
    assert order.status == "paid"


def test_a_replayed_payment_reads_the_order_then_its_key(pay, django_assert_num_queries):
    pay(key="budget")
    # The order is paid now: not payable, so the key is looked up and its answer replayed.
    with django_assert_num_queries(2):
        assert pay(key="budget").status_code == 201
