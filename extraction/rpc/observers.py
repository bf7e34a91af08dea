"""Hooks for whoever measures contract calls (metrics, logs, traces).

The adapters (local and remote) are the only wrapper around a contract call:
each runs the call inside ``traced`` (an OpenTelemetry span ``<Contract>.<method>``
when tracing is on, nothing otherwise) and ends it with ``call_finished``
(sender: the contract class, ``record``: a ``CallRecord``), sent inside that span
so its receivers can annotate it. A call refused or let through inside a database
transaction sends ``call_in_transaction`` first. Receivers must be quick and must
not raise: they run on the caller's thread.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable
from typing import Any

from django.dispatch import Signal
from opentelemetry import trace

from contracts.services import Service
from extraction.observability import tracing

tracer = trace.get_tracer("seams.contracts")

# transport: "direct" (the local provider), "codec" (in process through the wire codec),
# "http" (this process called a remote provider), "served" (this process
# answered a remote caller).
call_finished = Signal()
# kwargs: contract, method, action ("refused" or "allowed").
call_in_transaction = Signal()

OK = "ok"
CONTRACT_ERROR = "contract_error"
UNAVAILABLE = "unavailable"
ERROR = "error"


@dataclasses.dataclass(frozen=True, slots=True)
class CallRecord:
    contract: str
    method: str
    service: str
    transport: str
    outcome: str  # ok, contract_error, unavailable, error
    code: str | None  # the contract error's code, when there is one
    duration_seconds: float
    correlation_id: str | None


def record_call(
    contract: type[Service],
    method: str,
    *,
    transport: str,
    started: float,
    outcome: str,
    code: str | None = None,
    correlation_id: str | None = None,
) -> None:
    if not call_finished.receivers:
        return
    call_finished.send(
        sender=contract,
        record=CallRecord(
            contract=contract.__name__,
            method=method,
            service=contract.owner,
            transport=transport,
            outcome=outcome,
            code=code,
            duration_seconds=time.perf_counter() - started,
            correlation_id=correlation_id,
        ),
    )


def traced(contract: type[Service], method: str, run: Callable[..., Any]) -> Callable[..., Any]:
    """``run(self, **arguments)`` inside a span ``<Contract>.<method>`` (kind client,
    ``seams.contract`` and ``seams.method``) when tracing is on; as it is otherwise (off
    by default: not even a no-op span). The RPC client's HTTP span and the trace
    context it sends nest under it."""
    span_name = f"{contract.__name__}.{method}"
    attributes = {"seams.contract": contract.__name__, "seams.method": method}

    def call(self: Service, **arguments: Any) -> Any:
        if not tracing.is_on():
            return run(self, **arguments)
        with tracer.start_as_current_span(
            span_name, kind=trace.SpanKind.CLIENT, attributes=attributes
        ):
            return run(self, **arguments)

    return call
