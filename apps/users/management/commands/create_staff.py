"""``manage.py create_staff``: create a staff (or superuser) account from the shell."""

from __future__ import annotations

import getpass
import os
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from apps.users import services
from contracts.errors import ContractError


class Command(BaseCommand):
    help = (
        "Create a staff account that can sign in to the admin. The password comes from "
        "the environment variable named by --password-env, or is asked for interactively."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--email", required=True, help="Sign-in email of the new account.")
        parser.add_argument("--full-name", default="", help="Display name (optional).")
        parser.add_argument(
            "--superuser",
            action="store_true",
            help="Grant every permission (otherwise staff with no permissions yet).",
        )
        parser.add_argument(
            "--password-env",
            metavar="VAR",
            help="Read the password from this environment variable (for scripts and CI); "
            "without it the password is prompted for twice.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        password = self._password(options["password_env"])
        try:
            user = services.user_create_staff(
                email=options["email"],
                password=password,
                full_name=options["full_name"],
                superuser=options["superuser"],
            )
        except ContractError as exc:
            reasons = " ".join(str(m) for m in exc.details.get("password", []))
            raise CommandError(f"{exc.message} {reasons}".strip()) from None
        kind = "superuser" if user.is_superuser else "staff user"
        self.stdout.write(self.style.SUCCESS(f"Created {kind} {user.email} ({user.id})."))

    def _password(self, variable: str | None) -> str:
        if variable:
            # The operator names the variable explicitly, so reading it here (and
            # not through the settings) is the point: the secret never appears
            # on the command line or in the process list.
            password = os.environ.get(variable, "")
            if not password:
                raise CommandError(f"The environment variable {variable} is not set or empty.")
            return password
        try:
            password = getpass.getpass("Password: ")
            again = getpass.getpass("Password (again): ")
        except EOFError:
            raise CommandError(
                "No password: there is no terminal to ask on; use --password-env VAR."
            ) from None
        if password != again:
            raise CommandError("The two passwords differ.")
        if not password:
            raise CommandError("The password is empty.")
        return password
