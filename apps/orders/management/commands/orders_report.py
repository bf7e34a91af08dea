"""``manage.py orders_report``: how many orders, and how much money, by status."""

from __future__ import annotations

import json
from collections import defaultdict
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from apps.orders import selectors
from apps.orders.models import REFUND_REQUESTED
from contracts.orders import OrderStatus

# Money the shop keeps: paid and shipped orders, and paid ones whose refund is not
# confirmed yet. Refunded money went back.
REVENUE_STATUSES = {OrderStatus.PAID.value, OrderStatus.FULFILLED.value, REFUND_REQUESTED}


def parse_day(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"{value!r} is not a date (use YYYY-MM-DD)") from None


class Command(BaseCommand):
    help = (
        "Count the orders placed in a date range and sum their totals by status and currency; "
        "revenue is the total of paid and fulfilled orders. Days are in the server's time "
        "zone; --until is inclusive. Without dates: the last 30 days."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--since", type=parse_day, help="first day (YYYY-MM-DD)")
        parser.add_argument("--until", type=parse_day, help="last day, inclusive (YYYY-MM-DD)")
        parser.add_argument(
            "--all-time", action="store_true", help="every order, ignoring --since/--until"
        )
        parser.add_argument("--json", action="store_true", help="print JSON instead of a table")

    def handle(self, *args: Any, **options: Any) -> None:
        since, until = self._range(options)
        figures = selectors.order_figures_by_status(since=since, until=until)
        revenue: dict[str, Decimal] = defaultdict(Decimal)
        for row in figures:
            if row.status in REVENUE_STATUSES:
                revenue[row.currency] += row.amount
        if options["json"]:
            self.stdout.write(
                json.dumps(
                    {
                        "since": since.isoformat() if since else None,
                        "until": until.isoformat() if until else None,
                        "by_status": [
                            {
                                "status": r.status,
                                "currency": r.currency,
                                "orders": r.orders,
                                "amount": str(r.amount),
                            }
                            for r in figures
                        ],
                        "revenue": {c: str(a) for c, a in sorted(revenue.items())},
                    },
                    indent=2,
                )
            )
            return
        period = (
            "all time"
            if since is None or until is None
            else f"{since:%Y-%m-%d} to {until - timedelta(days=1):%Y-%m-%d}"
        )
        self.stdout.write(f"Orders placed, {period}")
        self.stdout.write(f"{'status':<18}{'currency':<10}{'orders':>8}{'amount':>14}")
        for row in figures:
            self.stdout.write(f"{row.status:<18}{row.currency:<10}{row.orders:>8}{row.amount:>14}")
        if not figures:
            self.stdout.write("(no orders)")
        self.stdout.write(f"total orders: {sum(r.orders for r in figures)}")
        for currency, amount in sorted(revenue.items()):
            self.stdout.write(self.style.SUCCESS(f"revenue {currency}: {amount}"))

    def _range(self, options: dict[str, Any]) -> tuple[datetime | None, datetime | None]:
        if options["all_time"]:
            return None, None
        today = timezone.localdate()
        last = options["until"] or today
        first = options["since"] or last - timedelta(days=29)
        if first > last:
            raise CommandError("--since is after --until")
        zone = timezone.get_current_timezone()
        return (
            datetime.combine(first, time.min, tzinfo=zone),
            datetime.combine(last + timedelta(days=1), time.min, tzinfo=zone),
        )
