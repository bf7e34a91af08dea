"""``manage.py cancel_stale_orders``: give back the stock held by orders never paid."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from apps.orders import selectors, services
from apps.orders.error_codes import IllegalTransition


class Command(BaseCommand):
    help = (
        "Cancel the orders still waiting for payment that were placed more than "
        "--older-than-hours hours ago, releasing their reserved stock. Each order is "
        "cancelled in its own transaction, so an order paid meanwhile is skipped, not lost. "
        "Safe to run from cron."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--older-than-hours",
            type=float,
            required=True,
            help="cancel pending orders placed more than this many hours ago",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="list the orders, change nothing"
        )
        parser.add_argument(
            "--reason",
            default="not paid in time",
            help="the cancellation reason recorded on each order (and in OrderCancelled)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        hours = options["older_than_hours"]
        if hours <= 0:
            raise CommandError("--older-than-hours must be positive")
        cutoff = timezone.now() - timedelta(hours=hours)
        order_ids = selectors.order_ids_stale(placed_before=cutoff)
        self.stdout.write(
            f"{len(order_ids)} pending order(s) placed before {cutoff:%Y-%m-%d %H:%M %Z}"
        )
        cancelled = skipped = 0
        for number, order_id in enumerate(order_ids, start=1):
            prefix = f"[{number}/{len(order_ids)}] {order_id}"
            if options["dry_run"]:
                self.stdout.write(f"{prefix} would be cancelled")
                continue
            try:
                services.order_cancel(order_id=order_id, reason=options["reason"])
            except IllegalTransition as exc:
                skipped += 1
                self.stdout.write(f"{prefix} skipped: now {exc.details['from']}")
            else:
                cancelled += 1
                self.stdout.write(f"{prefix} cancelled, stock released")
        if not options["dry_run"]:
            self.stdout.write(self.style.SUCCESS(f"cancelled {cancelled}, skipped {skipped}"))
