"""Every contract call, timed, traced and counted, whatever transport serves it.

``install()`` (at startup) makes the contract registry hand out each
implementation wrapped in a subclass of its contract — so ``get(UsersService)``
is still a ``UsersService`` — whose methods record, per call:

- ``seams_contract_call_duration_seconds{contract,method,transport,outcome}``;
- an OpenTelemetry span ``<Contract>.<method>`` with ``seams.contract``,
  ``seams.method`` and ``seams.transport`` (the RPC client's own HTTP span, and
  the propagated trace context, nest under it).

The transport is the implementation's ``transport`` attribute: ``"http"`` for the
RPC remote adapter, ``"codec"`` for the in-process codec round trip, ``"direct"``
(the default) for the owning app's provider.
"""

from __future__ import annotations

import functools
import time
from collections.abc import Callable
from typing import Any

from opentelemetry import trace

from contracts.errors import ContractError
from contracts.services import Service, contract_methods, registry
from extraction.observability.metrics import record_contract_call

tracer = trace.get_tracer("seams.contracts")

DIRECT = "direct"


class Instrumented:
    """Marker base of the wrapped implementations."""

    _seams_inner: Service
    _seams_transport: str

    def __getattr__(self, name: str) -> Any:
        # Anything that is not a contract method (a provider's own attribute).
        if name.startswith("_seams"):
            raise AttributeError(name)
        return getattr(self._seams_inner, name)


_classes: dict[type[Service], type[Service]] = {}


def _method(contract: type[Service], name: str, method: Callable[..., Any]) -> Callable[..., Any]:
    contract_name = contract.__name__
    span_name = f"{contract_name}.{name}"

    # The contract's own signature and annotations: the wrapper is checked like a provider.
    @functools.wraps(method)
    def call(self: Any, **kwargs: Any) -> Any:
        transport = self._seams_transport
        outcome = "ok"
        started = time.perf_counter()
        attributes = {
            "seams.contract": contract_name,
            "seams.method": name,
            "seams.transport": transport,
        }
        with tracer.start_as_current_span(
            span_name, kind=trace.SpanKind.CLIENT, attributes=attributes
        ) as span:
            try:
                return getattr(self._seams_inner, name)(**kwargs)
            except ContractError as exc:
                outcome = "contract_error"
                span.set_attribute("seams.error_code", exc.code)
                raise
            except BaseException:
                outcome = "error"
                raise
            finally:
                record_contract_call(
                    contract=contract_name,
                    method=name,
                    transport=transport,
                    outcome=outcome,
                    seconds=time.perf_counter() - started,
                )

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
    wrapped._seams_transport = getattr(implementation, "transport", DIRECT)  # type: ignore[attr-defined]
    return wrapped


def install() -> None:
    registry.wrap_instances(instrument)


def unwrap(implementation: Service) -> Service:
    """The implementation behind the instrumented wrapper (itself when not wrapped)."""
    if isinstance(implementation, Instrumented):
        return implementation._seams_inner
    return implementation
