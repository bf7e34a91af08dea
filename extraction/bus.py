"""The outbox event bus: ``contracts.publish`` lands here.

``publish`` adds a row to the outbox in the caller's transaction and asks for
delivery once that transaction commits. Nothing is sent before the commit, and a
rollback takes the event with it.
"""

from __future__ import annotations

from django.db import transaction

from contracts import codec
from contracts.events import Event
from extraction import delivery
from extraction.models import OutboxEvent
from extraction.observability.propagation import outgoing_headers


class OutboxBus:
    def publish(self, event: Event) -> None:
        if not transaction.get_connection().in_atomic_block:
            raise RuntimeError(
                f"publish({event.name}) must run inside transaction.atomic(), "
                "in the transaction of the change it announces"
            )
        row = OutboxEvent.objects.create(
            event_id=event.event_id,
            name=event.name,
            version=event.version,
            aggregate_id=event.aggregate_id,
            payload=codec.to_jsonable(event),
            created_at=event.occurred_at,
            headers=outgoing_headers(),
        )
        delivery.after_commit(row.id)
