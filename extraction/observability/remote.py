"""The apps that run elsewhere, as this process sees them: URL and circuit breaker.

The RPC client (remote adapters with one pybreaker breaker per remote service)
registers a ``RemoteServices`` source with ``install``; health, metrics and the
operator's page read it through ``remote_services``. With no source installed
(the monolith, or before the RPC client is configured) every app is local and
the list is empty.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Protocol


class BreakerState:
    """The states of a circuit breaker, named as pybreaker names them."""

    CLOSED = "closed"
    OPEN = "open"
    HALF_OPEN = "half-open"
    ALL = (CLOSED, OPEN, HALF_OPEN)


@dataclass(frozen=True)
class RemoteService:
    name: str  # the app label, e.g. "payments"
    url: str  # its base URL (SEAMS_SERVICE_URLS)
    breaker_state: str  # one of BreakerState.ALL
    failures: int = 0  # the breaker's current failure count

    @property
    def available(self) -> bool:
        """False while the breaker is open: calls fail at once without trying."""
        return self.breaker_state != BreakerState.OPEN


class RemoteServices(Protocol):
    def remote_services(self) -> list[RemoteService]:
        """Every app this process calls over RPC, with its breaker's current state."""
        ...


_lock = threading.Lock()
_source: RemoteServices | None = None


def install(source: RemoteServices | None) -> None:
    """Make ``source`` the process's view of its remote services (None: all local)."""
    global _source
    with _lock:
        _source = source


def remote_services() -> list[RemoteService]:
    source = _source
    return sorted(source.remote_services(), key=lambda s: s.name) if source else []


@dataclass
class StaticRemoteServices:
    """A fixed list; what tests and a process with static knowledge install."""

    services: list[RemoteService]

    def remote_services(self) -> list[RemoteService]:
        return list(self.services)
