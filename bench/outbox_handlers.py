"""The benchmark's event and its handler (loaded with SEAMS_EXTRA_HANDLER_MODULES).

The handler does no work of its own: what is measured is the machinery — outbox,
relay, broker, worker, inbox row — not a handler.
"""

from __future__ import annotations

from contracts.events import Event, event, subscribe

MODULE = __name__


@event
class Pinged(Event):
    name = "bench.Pinged"
    version = 1

    seq: int


@subscribe(Pinged, service="payments")
def on_pinged(event: Pinged) -> None:
    """The inbox row written with it is the measurement (its processed_at)."""
