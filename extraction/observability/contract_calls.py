"""Every contract call, timed, traced and counted, whatever transport serves it.

Two hooks, installed at startup (``install``):

- the contract registry hands out each implementation wrapped in a subclass of
  its contract (``get(UsersService)`` is still a ``UsersService``) whose methods
  open an OpenTelemetry span ``<Contract>.<method>`` with ``seams.contract`` and
  ``seams.method``; the RPC client's HTTP span, and the trace context it sends,
  nest under it;
- ``extraction.rpc.observers.call_finished`` (sent once per call by the local
  adapter, the RPC client and the RPC server) gives the transport and outcome:
  ``seams_contract_call_duration_seconds{contract,method,transport,outcome}``,
  the operator's page's recent calls, and ``seams.transport``/``seams.outcome`` on
  the current span. Transports: ``direct`` (the owning app's provider), ``codec``
  (in process through the wire codec), ``http`` (this process called a remote
  provider), ``served`` (this process answered a remote caller).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from opentelemetry import trace

from contracts.services import Service, contract_methods, registry
from extraction.observability import tracing
from extraction.observability.metrics import record_contract_call
from extraction.observability.recent_calls import CallKey, recent_calls
from extraction.rpc.observers import CallRecord, call_finished

tracer = trace.get_tracer("seams.contracts")

# The observers' name of the in-process call without the codec.
TRANSPORTS = {"local": "direct"}


class Instrumented:
    """Marker base of the wrapped implementations."""

    _seams_inner: Service

    def __getattr__(self, name: str) -> Any:
        # Anything that is not a contract method (an adapter's own attribute).
        if name.startswith("_seams"):
            raise AttributeError(name)
        return getattr(self._seams_inner, name)


_classes: dict[type[Service], type[Service]] = {}


def _method(contract: type[Service], name: str, method: Callable[..., Any]) -> Callable[..., Any]:
    span_name = f"{contract.__name__}.{name}"
    attributes = {"seams.contract": contract.__name__, "seams.method": name}

    # The contract's own signature and annotations: the wrapper is checked like a provider.
    @functools.wraps(method)
    def call(self: Any, **kwargs: Any) -> Any:
        if not tracing.is_on():  # off by default: not even a no-op span
            return getattr(self._seams_inner, name)(**kwargs)
        with tracer.start_as_current_span(
            span_name, kind=trace.SpanKind.CLIENT, attributes=attributes
        ):
            return getattr(self._seams_inner, name)(**kwargs)

    return call


def instrumented_class(contract: type[Service]) -> type[Service]:
    cls = _classes.get(contract)
    if cls is None:
        namespace: dict[str, Any] = {
            name: _method(contract, name, method) for name, method in contract_methods(contract)
        }
        cls = _classes.setdefault(
            contract, type(f"Instrumented{contract.__name__}", (Instrumented, contract), namespace)
        )
    return cls


def instrument(contract: type[Service], implementation: Service) -> Service:
    if isinstance(implementation, Instrumented):
        return implementation
    wrapped = object.__new__(instrumented_class(contract))
    wrapped._seams_inner = implementation  # type: ignore[attr-defined]
    return wrapped


def unwrap(implementation: Service) -> Service:
    """The implementation behind the instrumented wrapper (itself when not wrapped)."""
    if isinstance(implementation, Instrumented):
        return implementation._seams_inner
    return implementation


def on_call_finished(sender: Any, record: CallRecord, **_: Any) -> None:
    transport = TRANSPORTS.get(record.transport, record.transport)
    record_contract_call(
        contract=record.contract,
        method=record.method,
        transport=transport,
        outcome=record.outcome,
        seconds=record.duration_seconds,
    )
    recent_calls.record(
        CallKey(record.contract, record.method, transport, record.service),
        record.outcome,
        record.duration_seconds,
    )
    span = trace.get_current_span()
    if span.is_recording():
        span.set_attribute("seams.contract", record.contract)
        span.set_attribute("seams.method", record.method)
        span.set_attribute("seams.transport", transport)
        span.set_attribute("seams.outcome", record.outcome)
        if record.code:
            span.set_attribute("seams.error_code", record.code)


def install() -> None:
    registry.wrap_instances(instrument)
    call_finished.connect(on_call_finished, weak=False, dispatch_uid="seams-contract-metrics")
