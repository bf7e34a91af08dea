"""The outbox event bus: ``contracts.publish`` lands here.

``publish`` adds a row to the outbox in the caller's transaction and asks for
delivery once that transaction commits. Nothing is sent before the commit, and a
rollback takes the event with it. In process, an event without a local
subscriber is written published: there is nobody to deliver it to.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from apikit import rows
from contracts import codec
from contracts.events import Event
from extraction.events import delivery
from extraction.models import OutboxEvent, OutboxStatus
from extraction.observability.propagation import outgoing_headers


class OutboxBus:
    def publish(self, event: Event) -> None:
        if not transaction.get_connection().in_atomic_block:
            raise RuntimeError(
                f"publish({event.name}) must run inside transaction.atomic(), "
                "in the transaction of the change it announces"
            )
        done = delivery.delivered_at_once(type(event))
        # Every change publishes: the INSERT is written once (apikit.rows).
        row = rows.insert(
            OutboxEvent(
                event_id=event.event_id,
                name=event.name,
                version=event.version,
                aggregate_id=event.aggregate_id,
                payload=codec.to_jsonable(event),
                created_at=event.occurred_at,
                headers=outgoing_headers(),
                **(
                    {"status": OutboxStatus.PUBLISHED, "published_at": timezone.now()}
                    if done
                    else {}
                ),
            )
        )
        # A row delivered at once still gives the embedded sweep its chance to run.
        delivery.after_commit(None if done else row.id, type(event))
