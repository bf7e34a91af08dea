"""Every service refuses a deactivated account's tokens: ``UserDeactivated`` → denylist.

Access tokens are verified from their claims alone (``apikit.auth.authentication``),
so each service has to learn about a deactivation itself. Each service of this
process subscribes to ``UserDeactivated`` under its own name, so in a split
deployment the event lands in every service's queue, and records the
deactivation in the shared cache's denylist (``apikit.auth.revocation``), which the
authentication reads on every request. The handler is idempotent (a redelivery
writes the same cut-off) and runs once per (event, service) through the inbox.

Composition, not domain: it lives in ``project`` because it joins a contract's
event with the web layer's denylist for whichever apps this process runs.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.utils import timezone

from apikit.auth.revocation import revoke_tokens
from contracts import subscribe
from contracts.users import UserDeactivated


def refuse_tokens_of_deactivated_user(event: UserDeactivated) -> None:
    # Every token issued until now, not until the event was created: a sign-in that
    # read the account just before the deactivation committed got a token after
    # ``occurred_at``, and must be refused as well.
    revoke_tokens(user_id=event.user_id, issued_until=timezone.now())


def subscribe_services(services: Iterable[str]) -> None:
    # One inbox key per service: each service's copy of the event is its own.
    for service in services:
        key = f"{__name__}.refuse_tokens_of_deactivated_user.{service}"
        subscribe(UserDeactivated, service=service, key=key)(refuse_tokens_of_deactivated_user)
