"""Hooks for whoever measures contract calls (metrics, logs, traces).

Every contract call, in every mode, ends with ``call_finished`` (sender: the
contract class, ``record``: a ``CallRecord``); a call refused or let through
inside a database transaction sends ``call_in_transaction`` first. Receivers
must be quick and must not raise: they run on the caller's thread.
"""

from __future__ import annotations

import dataclasses
import time

from django.dispatch import Signal

from contracts.services import Service

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
