"""``manage.py seed_demo``: the demo shop, seeded by each app that runs here."""

from __future__ import annotations

from importlib import import_module
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from contracts import demo


class Command(BaseCommand):
    help = (
        "Load the demo shop (administrator, customers, orders, payments) into the apps "
        "that run in this process. Idempotent: running it again keeps what exists. "
        "Refused when DEBUG is off unless --allow-production is given, because the demo "
        "accounts have well-known passwords."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--allow-production",
            action="store_true",
            help="seed even though DEBUG is off (never on a public deployment)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.DEBUG and not options["allow_production"]:
            raise CommandError(
                "seed_demo creates accounts with well-known passwords; it runs only with "
                "DEBUG=1 (or --allow-production)"
            )
        for service in settings.ALL_SERVICES:
            if service not in settings.SEAMS_SERVICES:
                continue
            self.stdout.write(f"Seeding {service}…")
            import_module(f"apps.{service}.demo").seed(
                log=lambda line: self.stdout.write(f"  {line}")
            )
        self.stdout.write(self.style.SUCCESS("Demo shop ready."))
        if "users" in settings.SEAMS_SERVICES:
            self.stdout.write(
                f"Admin login: {demo.ADMIN_EMAIL} / {demo.ADMIN_PASSWORD}  "
                f"(customers: {', '.join(e for e, _ in demo.CUSTOMERS)} / {demo.CUSTOMER_PASSWORD})"
            )
