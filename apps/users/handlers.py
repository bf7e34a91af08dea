"""Events the users app reacts to (its own, for side effects after the fact)."""

from __future__ import annotations

from functools import partial

from django.db import transaction

from contracts import subscribe
from contracts.users import UserRegistered


@subscribe(UserRegistered, service="users")
def queue_welcome_email(event: UserRegistered) -> None:
    # Imported here: the tasks module loads Celery, which a process only needs
    # once it runs a task.
    from apps.users.tasks import send_welcome_email

    # Queued after the handler's transaction (with its inbox row) commits, so a
    # redelivered event never queues a second email. ``robust``: a broker or
    # mail outage must not turn a finished delivery into an error.
    transaction.on_commit(partial(send_welcome_email.delay, str(event.user_id)), robust=True)
