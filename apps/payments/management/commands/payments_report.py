"""``manage.py payments_report``: counts and amounts by status and currency."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from apps.payments import selectors


def _day(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"{value!r} is not a date like 2026-01-31") from None


class Command(BaseCommand):
    help = (
        "Report payments and refunds created in a date range: how many and how much, per "
        "status and currency (amounts are never added across currencies). The range is "
        "[--since, --until) in UTC; by default the last 30 days up to now."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--since", type=_day, help="first day included (YYYY-MM-DD, UTC)")
        parser.add_argument(
            "--until", type=_day, help="day after the last one included (YYYY-MM-DD, UTC)"
        )
        parser.add_argument(
            "--days",
            type=int,
            default=30,
            help="without --since: how many days before --until (default 30)",
        )
        parser.add_argument(
            "--format",
            choices=["table", "json"],
            default="table",
            help="table for people (default), json for scripts",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        until = (
            datetime.combine(options["until"], time.min, tzinfo=UTC)
            if options["until"]
            else timezone.now()
        )
        since = (
            datetime.combine(options["since"], time.min, tzinfo=UTC)
            if options["since"]
            else until - timedelta(days=options["days"])
        )
        if since >= until:
            raise CommandError("--since must be before --until")
        payments = selectors.payment_totals(since=since, until=until)
        refunds = selectors.refund_totals(since=since, until=until)
        if options["format"] == "json":
            self.stdout.write(
                json.dumps(
                    {
                        "since": since.isoformat(),
                        "until": until.isoformat(),
                        "payments": payments,
                        "refunds": refunds,
                    },
                    default=str,
                    indent=2,
                )
            )
            return
        self.stdout.write(
            f"Payments created from {since:%Y-%m-%d %H:%M} to {until:%Y-%m-%d %H:%M} UTC"
        )
        self._table(payments)
        self.stdout.write("Refunds")
        self._table(refunds)

    def _table(self, rows: list[dict[str, Any]]) -> None:
        if not rows:
            self.stdout.write("  (none)")
            return
        self.stdout.write(f"  {'status':<10} {'currency':<8} {'count':>7} {'amount':>14}")
        for row in rows:
            self.stdout.write(
                f"  {row['status']:<10} {row['currency']:<8} {row['count']:>7} {row['amount']:>14}"
            )
