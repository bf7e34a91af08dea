"""The apps that run elsewhere, as this process sees them: URL and circuit breaker.

At startup, a process that calls other services (``SEAMS_SERVICE_URLS``)
installs ``RpcRemoteServices``: their URLs and the state of the RPC client's
pybreaker breaker of each. Health, metrics and the operator's page read
``remote_services()``; tests install a ``StaticRemoteServices``. With no source
installed (the monolith) every app is local and the list is empty.
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


def install(source: RemoteServices | None) -> RemoteServices | None:
    """Make ``source`` the process's view of its remote services; returns the previous one."""
    global _source
    with _lock:
        previous, _source = _source, source
    return previous


def remote_services() -> list[RemoteService]:
    source = _source
    return sorted(source.remote_services(), key=lambda s: s.name) if source else []


@dataclass
class StaticRemoteServices:
    """A fixed list; what tests and a process with static knowledge install."""

    services: list[RemoteService]

    def remote_services(self) -> list[RemoteService]:
        return list(self.services)


class RpcRemoteServices:
    """The services of ``SEAMS_SERVICE_URLS`` and the RPC client's breaker of each."""

    def remote_services(self) -> list[RemoteService]:
        from django.conf import settings

        from extraction.rpc.breakers import breaker_for

        services = []
        for name, url in settings.SEAMS_SERVICE_URLS.items():
            breaker = breaker_for(name)
            services.append(
                RemoteService(
                    name=name,
                    url=url,
                    breaker_state=str(breaker.current_state),
                    failures=breaker.fail_counter,
                )
            )
        return services
