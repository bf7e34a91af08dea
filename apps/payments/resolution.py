"""Settling what an unknown outcome or a crash left open, from the gateway's record.

Run by ``manage.py resolve_stuck_payments`` and by the Celery beat task
``payments.resolve``: pending payments and pending refunds older than a threshold
are settled by asking the gateway (by the idempotency key the app used), and
payments settled as abandoned recently are asked about once more, so that a charge
that landed after all is refunded (compensated) instead of kept.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from apps.payments import refunds, selectors, services


def resolve_all(
    *,
    older_than: timedelta,
    late_capture_window: timedelta,
    limit: int,
    report: Callable[[str], None] | None = None,
) -> dict[str, int]:
    """Settle, at most ``limit`` of each kind; returns counts by kind and outcome."""

    def say(line: str) -> None:
        if report is not None:
            report(line)

    counts: dict[str, int] = {}

    def count(key: str) -> None:
        counts[key] = counts.get(key, 0) + 1

    stuck = list(selectors.payment_list_stuck(older_than=older_than)[:limit])
    for number, payment in enumerate(stuck, start=1):
        settled = services.payment_resolve_stuck(payment_id=payment.id)
        count(f"payment {settled.status}")
        detail = settled.gateway_reference or settled.failure_code or "gateway unreachable"
        say(
            f"[{number}/{len(stuck)}] {payment.id} {payment.amount} {payment.currency}: "
            f"{settled.status} ({detail})"
        )
    for payment in selectors.payment_list_abandoned(within=late_capture_window)[:limit]:
        rechecked = services.payment_recheck_abandoned(payment_id=payment.id)
        if rechecked.gateway_reference:
            count("late capture compensated")
            say(
                f"{payment.id}: captured late by the gateway "
                f"({rechecked.gateway_reference}): refunding it"
            )
    for refund in selectors.refund_list_stuck(older_than=older_than)[:limit]:
        settled_refund = refunds.refund_resolve(refund_id=refund.id)
        count(f"refund {settled_refund.status}")
        say(f"refund {refund.id} of payment {refund.payment_id}: {settled_refund.status}")
    return counts
