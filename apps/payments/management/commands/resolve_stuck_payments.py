"""``manage.py resolve_stuck_payments``: settle payments left pending by a dead request."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from apps.payments import selectors, services


class Command(BaseCommand):
    help = (
        "Settle payments stuck in 'pending' (the request that claimed them died between the "
        "claim and the outcome). For each, ask the gateway whether it holds a charge for the "
        "payment: if so the payment becomes captured, otherwise failed with the code "
        "payments.payment_abandoned. Either way the event is published and the stored answer "
        "is written, so retries with the same Idempotency-Key stop getting 409. Choose "
        "--older-than-minutes well above the gateway's timeout so that no request still in "
        "flight is settled."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--older-than-minutes",
            type=int,
            default=15,
            help="only payments pending for longer than this (default 15)",
        )
        parser.add_argument(
            "--limit", type=int, default=500, help="settle at most this many (default 500)"
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="list the stuck payments, change nothing"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        minutes = options["older_than_minutes"]
        if minutes < 1:
            raise CommandError("--older-than-minutes must be at least 1")
        stuck = list(
            selectors.payment_list_stuck(older_than=timedelta(minutes=minutes))[: options["limit"]]
        )
        self.stdout.write(f"{len(stuck)} payment(s) pending for more than {minutes} minute(s).")
        outcomes: dict[str, int] = {}
        for number, payment in enumerate(stuck, start=1):
            prefix = f"[{number}/{len(stuck)}] {payment.id} {payment.amount} {payment.currency}"
            if options["dry_run"]:
                self.stdout.write(f"{prefix}: pending since {payment.created_at:%Y-%m-%d %H:%M}")
                continue
            settled = services.payment_resolve_stuck(payment_id=payment.id)
            outcomes[settled.status] = outcomes.get(settled.status, 0) + 1
            detail = settled.gateway_reference or settled.failure_code
            self.stdout.write(f"{prefix}: {settled.status} ({detail})")
        if options["dry_run"]:
            self.stdout.write("Dry run: nothing changed.")
        elif stuck:
            summary = ", ".join(f"{count} {status}" for status, count in sorted(outcomes.items()))
            self.stdout.write(self.style.SUCCESS(f"Settled: {summary}."))
