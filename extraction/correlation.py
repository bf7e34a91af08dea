"""The correlation id of the work in progress: one per public request, carried across hops.

A public request gets an id (its ``X-Correlation-ID`` header when a trusted proxy
sent one, a new one otherwise). Everything that work causes carries the same id:
contract calls over RPC (a signed header), the outbox rows and broker messages of
the events it publishes, and the handlers that consume them, so one id finds every
log line of one user action in every service.

This module only holds the value; the request middleware (every request, the
RPC endpoint's included), the outbox and the consumer bind it; the RPC client
and the rest read it.
"""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Iterator
from contextvars import ContextVar

HEADER = "X-Correlation-ID"
# The same header as Django exposes it in ``request.META``.
META_KEY = "HTTP_X_CORRELATION_ID"
MAX_LENGTH = 64

_current: ContextVar[str | None] = ContextVar("seams_correlation_id", default=None)


def new_id() -> str:
    return uuid.uuid4().hex


def clean(value: str | None) -> str | None:
    """``value`` when it is a usable id (short, printable ASCII), else ``None``."""
    if not value or len(value) > MAX_LENGTH:
        return None
    if not all(c.isascii() and (c.isalnum() or c in "-_.:") for c in value):
        return None
    return value


def get() -> str | None:
    """The correlation id of the current request, task or call (``None`` outside one)."""
    return _current.get()


@contextlib.contextmanager
def bound(value: str | None) -> Iterator[str]:
    """Run the block with ``value`` (or a new id) as the correlation id."""
    value = clean(value) or new_id()
    token = _current.set(value)
    try:
        yield value
    finally:
        _current.reset(token)
