"""``manage.py reconcile_sandbox``: compare payments and refunds with the sandbox ledger."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from apps.payments.reconciliation import sandbox_discrepancies


class Command(BaseCommand):
    help = (
        "Match every captured or refunded payment with its sandbox charge and every refund "
        "with its sandbox refund (by the ids the app sends as idempotency keys). Lists "
        "money taken without a payment (orphan_charge), payments without money "
        "(missing_charge), amount or reference mismatches, and charges requested more than "
        "once. Exits with status 1 when anything does not match, so it can run in cron."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--days",
            type=int,
            default=None,
            help="only records of the last N days (default: everything)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        since = None
        if options["days"] is not None:
            since = timezone.now() - timedelta(days=options["days"])
        found = sandbox_discrepancies(since=since)
        for discrepancy in found:
            self.stdout.write(
                f"{discrepancy.kind:<24} {discrepancy.reference}  {discrepancy.detail}"
            )
        if found:
            raise CommandError(f"{len(found)} discrepanc{'y' if len(found) == 1 else 'ies'} found")
        self.stdout.write(self.style.SUCCESS("Payments and the sandbox ledger match."))
