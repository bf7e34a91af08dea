"""The in-process adapter: the local provider behind the transaction guard and the codec.

``local_adapter(contract, provider)`` is a generated subclass of the provider
whose contract methods refuse to run inside a database transaction and, with
``SEAMS_CONTRACT_CODEC`` on, send their arguments, result and contract errors
through the wire codec (as a remote call would), so aliasing and values that
cannot cross the wire show up before any extraction.
"""

from __future__ import annotations

import functools
import time
from collections.abc import Callable
from typing import Any, TypeVar

from django.conf import settings

from contracts.codec import MethodCodec, to_jsonable
from contracts.errors import ContractError
from contracts.services import Service, contract_methods
from extraction import correlation
from extraction.rpc.guard import ensure_no_transaction
from extraction.rpc.observers import CONTRACT_ERROR, ERROR, OK, record_call, traced

S = TypeVar("S", bound=Service)


def local_adapter(contract: type[Service], provider: type[S]) -> type[S]:
    namespace: dict[str, Any] = {
        "provider": provider,
        "transport": property(_transport),
        "__module__": provider.__module__,
    }
    for name, method in contract_methods(contract):
        namespace[name] = _guarded(contract, name, getattr(provider, name), MethodCodec(method))
    adapter = type(provider.__name__, (provider,), namespace)
    adapter.__qualname__ = provider.__qualname__
    return adapter


DIRECT, CODEC = "direct", "codec"


def _transport(self: Service) -> str:
    """How calls to this implementation travel (read by the contract-call metrics)."""
    return CODEC if settings.SEAMS_CONTRACT_CODEC else DIRECT


def wire_copy(error: ContractError) -> ContractError:
    """``error`` as the caller of a remote provider would receive it."""
    return ContractError.from_dict(to_jsonable(error.as_dict(), dict[str, Any]))


def _guarded(
    contract: type[Service], name: str, implementation: Callable[..., Any], codec: MethodCodec
) -> Callable[..., Any]:
    def run(self: Service, **arguments: Any) -> Any:
        started = time.perf_counter()
        ensure_no_transaction(contract, name)
        through_codec = settings.SEAMS_CONTRACT_CODEC
        outcome, code = ERROR, None
        try:
            if not through_codec:
                result = implementation(self, **arguments)
            else:
                arguments = codec.decode_arguments(codec.encode_arguments(arguments))
                try:
                    raw = codec.encode_result(implementation(self, **arguments))
                except ContractError as exc:
                    raise wire_copy(exc) from exc
                result = codec.decode_result(raw)
            outcome = OK
            return result
        except ContractError as exc:
            outcome, code = CONTRACT_ERROR, exc.code
            raise
        finally:
            record_call(
                contract,
                name,
                transport=CODEC if through_codec else DIRECT,
                started=started,
                outcome=outcome,
                code=code,
                correlation_id=correlation.get(),
            )

    return functools.wraps(implementation)(traced(contract, name, run))
