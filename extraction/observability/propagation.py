"""What an event carries from the request that published it to the handler that runs it.

The outbox row keeps ``headers`` (the correlation id and the W3C trace context of
the publishing request); the relay puts them in the broker message's envelope,
and the consumer runs the handlers inside ``continued(headers)``: the same
correlation id is bound, and the handler's spans join the publisher's trace.
The same headers ride along on an RPC call (``outgoing_headers`` for the client,
``continued`` on the server).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Mapping
from typing import Any

from opentelemetry import context

from extraction import correlation
from extraction.observability.tracing import extract_context, inject_headers

CORRELATION_KEY = "correlation_id"


def outgoing_headers() -> dict[str, str]:
    """The current correlation id and trace context, as a flat mapping of strings."""
    headers: dict[str, str] = inject_headers({})
    value = correlation.get()
    if value is not None:
        headers[CORRELATION_KEY] = value
    return headers


@contextlib.contextmanager
def continued(headers: Mapping[str, Any] | None) -> Iterator[str]:
    """Run the block in the correlation id and trace that ``headers`` carry (or new ones)."""
    headers = headers or {}
    token = context.attach(extract_context(headers))
    try:
        with correlation.bound(headers.get(CORRELATION_KEY)) as value:
            yield value
    finally:
        context.detach(token)
