"""The contract calls of the last few minutes in this process: rates, errors, latencies.

Prometheus keeps the history; the operator's page wants "now" without a
Prometheus server, so each call is also kept here for ``WINDOW_SECONDS`` (bounded
in memory). Per process: under gunicorn each worker process sees its own calls.
"""

from __future__ import annotations

import statistics
import threading
import time
from collections import deque
from dataclasses import astuple, dataclass

WINDOW_SECONDS = 300.0
FAILED = ("error", "unavailable")  # outcomes that count as errors of the service
MAX_CALLS = 20_000


@dataclass(frozen=True)
class CallKey:
    contract: str
    method: str
    transport: str
    owner: str  # the app that provides the contract


@dataclass(frozen=True)
class CallSummary:
    key: CallKey
    calls: int
    errors: int  # failed or refused calls: unavailable, or broken (not a contract error)
    contract_errors: int  # the contract's own errors (not found, refused …)
    per_minute: float
    p50_ms: float
    p95_ms: float

    @property
    def error_rate(self) -> float:
        return self.errors / self.calls if self.calls else 0.0


class RecentCalls:
    def __init__(self, window_seconds: float = WINDOW_SECONDS, max_calls: int = MAX_CALLS) -> None:
        self.window = window_seconds
        self._calls: deque[tuple[float, CallKey, str, float]] = deque(maxlen=max_calls)
        self._lock = threading.Lock()

    def record(self, key: CallKey, outcome: str, seconds: float) -> None:
        with self._lock:
            self._calls.append((time.monotonic(), key, outcome, seconds))

    def summaries(self) -> list[CallSummary]:
        horizon = time.monotonic() - self.window
        grouped: dict[CallKey, list[tuple[str, float]]] = {}
        with self._lock:
            while self._calls and self._calls[0][0] < horizon:
                self._calls.popleft()
            for _, key, outcome, seconds in self._calls:
                grouped.setdefault(key, []).append((outcome, seconds))
        result = []
        for key, calls in sorted(grouped.items(), key=lambda item: astuple(item[0])):
            latencies = sorted(seconds * 1000 for _, seconds in calls)
            result.append(
                CallSummary(
                    key=key,
                    calls=len(calls),
                    errors=sum(1 for outcome, _ in calls if outcome in FAILED),
                    contract_errors=sum(1 for outcome, _ in calls if outcome == "contract_error"),
                    per_minute=len(calls) * 60.0 / self.window,
                    p50_ms=statistics.median(latencies),
                    p95_ms=latencies[min(len(latencies) - 1, int(len(latencies) * 0.95))],
                )
            )
        return result

    def clear(self) -> None:
        with self._lock:
            self._calls.clear()


recent_calls = RecentCalls()
