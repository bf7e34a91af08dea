"""``manage.py deactivate_user``: deactivate an account as an operator.

Goes through ``user_deactivate``, so the account's tokens stop working and
UserDeactivated is published (the orders app cancels its pending orders).
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from apps.users import selectors, services
from contracts.errors import ContractError


class Command(BaseCommand):
    help = "Deactivate the account with this email address (publishes UserDeactivated)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--email", required=True, help="Email address of the account.")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            user = selectors.user_get_by_email(email=options["email"])
            # An operator at the shell is trusted: no acting account is checked.
            user = services.user_deactivate(user_id=user.id, actor_id=None)
        except ContractError as exc:
            raise CommandError(f"{exc.message} ({options['email']})") from None
        self.stdout.write(self.style.SUCCESS(f"Deactivated {user.email} ({user.id})."))
