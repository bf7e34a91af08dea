"""One circuit breaker per remote service (pybreaker).

After ``SEAMS_RPC_BREAKER_FAIL_MAX`` consecutive failures (unreachable, timed out,
a 5xx) the breaker of that service opens: calls fail at once with
``ServiceUnavailable`` for ``SEAMS_RPC_BREAKER_RESET_SECONDS``, then one trial call
closes it again or reopens it. With ``SEAMS_RPC_REDIS_URL`` the state is shared by
every process of the caller (pybreaker's ``CircuitRedisStorage``); otherwise each
process keeps its own.
"""

from __future__ import annotations

import math
import threading
from datetime import UTC, datetime

import pybreaker
import redis
from django.conf import settings

_breakers: dict[str, pybreaker.CircuitBreaker] = {}
_lock = threading.Lock()


def breaker_for(service: str) -> pybreaker.CircuitBreaker:
    breaker = _breakers.get(service)
    if breaker is None:
        with _lock:
            breaker = _breakers.get(service)
            if breaker is None:
                breaker = _breakers[service] = _new_breaker(service)
    return breaker


def _new_breaker(service: str) -> pybreaker.CircuitBreaker:
    storage: pybreaker.CircuitBreakerStorage
    if settings.SEAMS_RPC_REDIS_URL:
        storage = pybreaker.CircuitRedisStorage(
            pybreaker.STATE_CLOSED,
            redis.Redis.from_url(settings.SEAMS_RPC_REDIS_URL),
            namespace=f"{settings.SEAMS_RPC_REDIS_PREFIX}:breaker:{service}",
        )
    else:
        storage = pybreaker.CircuitMemoryStorage(pybreaker.STATE_CLOSED)
    return pybreaker.CircuitBreaker(
        fail_max=settings.SEAMS_RPC_BREAKER_FAIL_MAX,
        reset_timeout=settings.SEAMS_RPC_BREAKER_RESET_SECONDS,
        state_storage=storage,
        name=service,
    )


def breaker_state(service: str) -> str:
    """``"closed"``, ``"open"`` or ``"half-open"`` for calls to ``service``."""
    return str(breaker_for(service).current_state)


def breaker_states() -> dict[str, str]:
    """The state of every breaker this process has built so far."""
    return {service: breaker_state(service) for service in sorted(_breakers)}


def retry_after_seconds(service: str) -> int:
    """Seconds until the breaker of ``service`` lets a trial call through (at least 1)."""
    breaker = breaker_for(service)
    opened_at = breaker._state_storage.opened_at  # pybreaker keeps it only there
    if breaker.current_state != pybreaker.STATE_OPEN or opened_at is None:
        return 1
    if opened_at.tzinfo is None:
        opened_at = opened_at.replace(tzinfo=UTC)
    elapsed = (datetime.now(UTC) - opened_at).total_seconds()
    return max(1, math.ceil(breaker.reset_timeout - elapsed))


def reset_breakers() -> None:
    """Forget every breaker (tests, and settings changes)."""
    with _lock:
        _breakers.clear()
