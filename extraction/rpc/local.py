"""The in-process adapter: the local provider behind the transaction guard and the codec.

``local_adapter(contract, provider)`` is a generated subclass of the provider
whose contract methods refuse to run inside a database transaction and, with
``SEAMS_CONTRACT_CODEC`` on, send their arguments, result and contract errors
through the wire codec (as a remote call would), so aliasing and values that
cannot cross the wire show up before any extraction.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

from django.conf import settings

from contracts.codec import MethodCodec, to_jsonable
from contracts.errors import ContractError
from contracts.services import Service, contract_methods
from extraction.rpc import identity
from extraction.rpc.observers import CODEC, DIRECT, SERVED, observed

S = TypeVar("S", bound=Service)


def local_adapter(contract: type[Service], provider: type[S]) -> type[S]:
    namespace: dict[str, Any] = {"provider": provider, "__module__": provider.__module__}
    for name, method in contract_methods(contract):
        namespace[name] = _guarded(contract, name, getattr(provider, name), MethodCodec(method))
    adapter = type(provider.__name__, (provider,), namespace)
    adapter.__qualname__ = provider.__qualname__
    return adapter


def _transport() -> str:
    """``served`` for the call the RPC endpoint serves, else how this call travels."""
    if identity.take_served_call():
        return SERVED
    return CODEC if settings.SEAMS_CONTRACT_CODEC else DIRECT


def wire_copy(error: ContractError) -> ContractError:
    """``error`` as the caller of a remote provider would receive it."""
    return ContractError.from_dict(to_jsonable(error.as_dict(), dict[str, Any]))


def _guarded(
    contract: type[Service], name: str, implementation: Callable[..., Any], codec: MethodCodec
) -> Callable[..., Any]:
    def run(self: Service, **arguments: Any) -> Any:
        if not settings.SEAMS_CONTRACT_CODEC:
            return implementation(self, **arguments)
        arguments = codec.decode_arguments(codec.encode_arguments(arguments))
        try:
            raw = codec.encode_result(implementation(self, **arguments))
        except ContractError as exc:
            raise wire_copy(exc) from exc
        return codec.decode_result(raw)

    return functools.wraps(implementation)(observed(contract, name, run, transport=_transport))
