"""Hooks for whoever measures contract calls (metrics, logs, traces).

The adapters (local and remote) are the only wrapper around a contract call:
each is ``observed``, which runs the call inside an OpenTelemetry span
``<Contract>.<method>`` (when tracing is on, nothing otherwise), behind the
transaction guard, and ends it with one ``call_finished`` (sender: the contract
class, ``record``: a ``CallRecord``), sent inside that span so its receivers can
annotate it. A call refused or let through inside a database
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

from contracts.errors import ContractError
from contracts.services import Service
from extraction import correlation
from extraction.observability import tracing
from extraction.rpc import guard

tracer = trace.get_tracer("seams.contracts")

# transport: "direct" (the local provider), "codec" (in process through the wire codec),
# "http" (this process called a remote provider), "served" (the local provider
# answering a remote caller's call).
call_finished = Signal()
# kwargs: contract, method, action ("refused" or "allowed").
call_in_transaction = Signal()

OK = "ok"
CONTRACT_ERROR = "contract_error"
UNAVAILABLE = "unavailable"
ERROR = "error"

DIRECT, CODEC, HTTP, SERVED = "direct", "codec", "http", "served"


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


def _record_call(
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


def contract_outcome(error: BaseException) -> tuple[str, str | None]:
    """The outcome and code of a call that raised ``error``: its contract error, or a failure."""
    if isinstance(error, ContractError):
        return CONTRACT_ERROR, error.code
    return ERROR, None


def observed(
    contract: type[Service],
    method: str,
    run: Callable[..., Any],
    *,
    transport: str | Callable[[], str],
    outcome_of: Callable[[BaseException], tuple[str, str | None]] = contract_outcome,
) -> Callable[..., Any]:
    """``run(self, **arguments)`` as an adapter's contract method: inside a span
    ``<Contract>.<method>`` (kind client, ``seams.contract`` and ``seams.method``) when
    tracing is on (off by default: not even a no-op span), refused inside a database
    transaction, timed, and ended by one ``call_finished`` sent inside the span.
    ``transport`` names the transport (a callable is asked as the call starts);
    ``outcome_of`` classifies what the call raised. ``run`` does the transport's work
    only. The RPC client's HTTP span and the trace context it sends nest under the span."""
    span_name = f"{contract.__name__}.{method}"
    attributes = {"seams.contract": contract.__name__, "seams.method": method}

    def observe(self: Service, **arguments: Any) -> Any:
        started = time.perf_counter()
        guard.ensure_no_transaction(contract, method)
        via = transport if isinstance(transport, str) else transport()
        outcome, code = ERROR, None
        try:
            result = run(self, **arguments)
            outcome = OK
            return result
        except BaseException as exc:
            outcome, code = outcome_of(exc)
            raise
        finally:
            _record_call(
                contract,
                method,
                transport=via,
                started=started,
                outcome=outcome,
                code=code,
                correlation_id=correlation.get(),
            )

    def call(self: Service, **arguments: Any) -> Any:
        if not tracing.is_on():
            return observe(self, **arguments)
        with tracer.start_as_current_span(
            span_name, kind=trace.SpanKind.CLIENT, attributes=attributes
        ):
            return observe(self, **arguments)

    return call
