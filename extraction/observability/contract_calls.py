"""Every contract call, timed, traced and counted, whatever transport serves it.

The adapters that the registry binds (``extraction.rpc.local`` and
``extraction.rpc.client``) are the one wrapper around each call
(``extraction.rpc.observers.observed``): they open the OpenTelemetry span
``<Contract>.<method>`` when tracing is on and send ``call_finished`` once per
call, including the call the RPC server makes for a remote caller (its local
adapter records it as ``served``). ``install`` connects this module's
receiver, which turns each record into
``seams_contract_call_duration_seconds{contract,method,transport,outcome}``, the
operator's page's recent calls, and ``seams.transport``/``seams.outcome`` on the
current span. Transports: ``direct`` (the owning app's provider), ``codec`` (in
process through the wire codec), ``http`` (this process called a remote
provider), ``served`` (the local provider answered a remote caller).
"""

from __future__ import annotations

from typing import Any

from opentelemetry import trace

from extraction.observability.metrics import record_contract_call
from extraction.observability.recent_calls import CallKey, recent_calls
from extraction.rpc.observers import CallRecord, call_finished


def on_call_finished(sender: Any, record: CallRecord, **_: Any) -> None:
    record_contract_call(
        contract=record.contract,
        method=record.method,
        transport=record.transport,
        outcome=record.outcome,
        seconds=record.duration_seconds,
    )
    recent_calls.record(
        CallKey(record.contract, record.method, record.transport, record.service),
        record.outcome,
        record.duration_seconds,
    )
    span = trace.get_current_span()
    if span.is_recording():
        span.set_attribute("seams.contract", record.contract)
        span.set_attribute("seams.method", record.method)
        span.set_attribute("seams.transport", record.transport)
        span.set_attribute("seams.outcome", record.outcome)
        if record.code:
            span.set_attribute("seams.error_code", record.code)


def install() -> None:
    call_finished.connect(on_call_finished, weak=False, dispatch_uid="seams-contract-metrics")
