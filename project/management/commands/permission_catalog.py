"""``manage.py permission_catalog``: check or rewrite project/permission_catalog.json."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from extraction.checks import runs_split
from project.permission_catalog import CATALOG, describe, render


class Command(BaseCommand):
    help = (
        "Compare the permissions of every bounded app with project/permission_catalog.json "
        "(what the users app can grant for apps that run elsewhere); --write records them. "
        "Run it in the monolith (every app installed)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--write", action="store_true", help="record the current permissions")

    def handle(self, *args: Any, **options: Any) -> None:
        if runs_split():
            raise CommandError("run it where every app is installed (the monolith)")
        current = render(describe())
        if options["write"]:
            CATALOG.write_text(current)
            self.stdout.write(f"wrote {CATALOG.name}")
        elif CATALOG.read_text() != current:
            raise CommandError(
                f"{CATALOG.name} is stale: run `manage.py permission_catalog --write`"
            )
        else:
            self.stdout.write(f"{CATALOG.name} is up to date")
