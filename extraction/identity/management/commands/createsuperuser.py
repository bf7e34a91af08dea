"""``manage.py createsuperuser``: Django's command, where the accounts live in the users app.

The user model of every process is the staff shadow (docs/identity.md), which
holds no password, so Django's own command cannot create an account. This one
keeps its usage: where the users app runs it creates a superuser account there
(``create_staff --superuser``), asking for the email and the password, or with
``--noinput`` reading ``DJANGO_SUPERUSER_EMAIL`` and ``DJANGO_SUPERUSER_PASSWORD``
as Django does; in a process without the users app it says where to run it.
"""

from __future__ import annotations

import os
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser

USERS = "users"
PASSWORD_VARIABLE = "DJANGO_SUPERUSER_PASSWORD"  # noqa: S105 - the name of a variable


class Command(BaseCommand):
    help = (
        "Create a superuser account in the users app (the same as "
        "`create_staff --superuser`); it signs in to the admin of every service."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--email", help="Sign-in email (DJANGO_SUPERUSER_EMAIL).")
        parser.add_argument(
            "--noinput",
            "--no-input",
            action="store_false",
            dest="interactive",
            help="Ask nothing: the email and password come from DJANGO_SUPERUSER_EMAIL "
            f"and {PASSWORD_VARIABLE}.",
        )
        parser.add_argument("--full-name", default="", help="Display name (optional).")

    def handle(self, *args: Any, **options: Any) -> None:
        if USERS not in settings.SEAMS_SERVICES:
            raise CommandError(
                "Accounts belong to the users service, which does not run in this process: "
                "run `manage.py createsuperuser` (or `manage.py create_staff --superuser`) "
                "where users runs. This service fills its staff records when the account "
                "signs in to its admin."
            )
        interactive = options["interactive"]
        # Django's createsuperuser reads these two variables itself: operators' scripts
        # rely on that contract, so it is read here and not through the settings.
        email = options["email"] or os.environ.get("DJANGO_SUPERUSER_EMAIL", "")
        if not email and interactive:
            try:
                email = input("Email: ").strip()
            except EOFError:
                email = ""
        if not email:
            raise CommandError("An email is required: --email or DJANGO_SUPERUSER_EMAIL.")
        password_env = None
        if not interactive:
            if not os.environ.get(PASSWORD_VARIABLE):
                raise CommandError(f"--noinput needs the password in {PASSWORD_VARIABLE}.")
            password_env = PASSWORD_VARIABLE
        call_command(
            "create_staff",
            email=email,
            full_name=options["full_name"],
            superuser=True,
            password_env=password_env,
            stdout=self.stdout,
            stderr=self.stderr,
        )
