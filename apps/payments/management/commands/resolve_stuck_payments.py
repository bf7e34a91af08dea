"""``manage.py resolve_stuck_payments``: settle payments and refunds left open, from the
gateway's own record (the Celery beat task ``payments.resolve`` does the same)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from apps.payments import resolution, selectors


class Command(BaseCommand):
    help = (
        "Settle payments stuck in 'pending' (the request died between the claim and the "
        "outcome, or the gateway's answer was unknown): captured if the gateway holds a "
        "charge for the payment, otherwise failed with payments.payment_abandoned; the "
        "event is published and the stored answer written. Settle pending refunds the same "
        "way (asking the gateway again with the same key when it never saw them). Ask again "
        "about payments abandoned within the late-capture window: a charge that landed after "
        "all is refunded automatically. Choose --older-than-minutes well above the gateway's "
        "timeout so that no request still in flight is settled."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--older-than-minutes",
            type=int,
            default=15,
            help="only payments and refunds pending for longer than this (default 15)",
        )
        parser.add_argument(
            "--limit", type=int, default=500, help="settle at most this many of each (default 500)"
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="list the stuck payments, change nothing"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        minutes = options["older_than_minutes"]
        if minutes < 1:
            raise CommandError("--older-than-minutes must be at least 1")
        older_than = timedelta(minutes=minutes)
        stuck = list(selectors.payment_list_stuck(older_than=older_than)[: options["limit"]])
        self.stdout.write(f"{len(stuck)} payment(s) pending for more than {minutes} minute(s).")
        if options["dry_run"]:
            for number, payment in enumerate(stuck, start=1):
                self.stdout.write(
                    f"[{number}/{len(stuck)}] {payment.id} {payment.amount} {payment.currency}: "
                    f"pending since {payment.created_at:%Y-%m-%d %H:%M}"
                )
            refunds = selectors.refund_list_stuck(older_than=older_than)[: options["limit"]]
            for refund in refunds:
                self.stdout.write(f"refund {refund.id} of payment {refund.payment_id}: pending")
            self.stdout.write("Dry run: nothing changed.")
            return
        counts = resolution.resolve_all(
            older_than=older_than,
            late_capture_window=timedelta(hours=settings.PAYMENTS_LATE_CAPTURE_WINDOW_HOURS),
            limit=options["limit"],
            report=self.stdout.write,
        )
        if counts:
            summary = ", ".join(f"{n} {what}" for what, n in sorted(counts.items()))
            self.stdout.write(self.style.SUCCESS(f"Settled: {summary}."))
