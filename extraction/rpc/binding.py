"""Which implementation each contract gets in this process, decided once from settings.

``bind_contracts()`` runs when the ``extraction`` app is ready, after every app
config is loaded and before any app's ``ready()``: a contract whose owner is in
``SEAMS_SERVICES`` is bound to its provider (named by the owning app config's
``contract_providers``) behind the local adapter; one whose owner has a URL in
``SEAMS_SERVICE_URLS`` is bound to the generated remote adapter; any other stays
unbound, and ``seams.E001`` fails when an installed app uses it. The order in
which apps load changes nothing.
"""

from __future__ import annotations

from django.apps import apps
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.module_loading import import_string

from contracts.codec import MethodCodec
from contracts.services import Service, contract_methods, declared_contracts, registry
from contracts.snapshot import load_contract_modules
from extraction.rpc.local import local_adapter

_served: dict[str, type[Service]] = {}
_codecs: dict[tuple[str, str], tuple[type[Service], MethodCodec]] = {}


def local_providers() -> dict[type[Service], type[Service]]:
    """``{contract: provider class}`` declared by the installed app configs."""
    providers: dict[type[Service], type[Service]] = {}
    for config in apps.get_app_configs():
        for dotted in getattr(config, "contract_providers", ()):
            provider = import_string(dotted)
            if not (isinstance(provider, type) and issubclass(provider, Service)):
                raise ImproperlyConfigured(f"{dotted} is not a contract provider")
            contract = provider.contract
            if contract is None or contract.owner != config.label:
                raise ImproperlyConfigured(f"{dotted}: app '{config.label}' does not own it")
            providers[contract] = provider
    return providers


def bind_contracts() -> None:
    load_contract_modules()
    providers = local_providers()
    _served.clear()
    _codecs.clear()
    for contract in declared_contracts():
        registry.withdraw(contract)
        if contract.owner in settings.SEAMS_SERVICES:
            provider = providers.get(contract)
            if provider is None:
                raise ImproperlyConfigured(
                    f"app '{contract.owner}' runs here but declares no provider of "
                    f"{contract.__qualname__} (AppConfig.contract_providers)"
                )
            registry.provide(contract, local_adapter(contract, provider))
            _served[contract.__name__] = contract
            for name, method in contract_methods(contract):
                _codecs[(contract.__name__, name)] = (contract, MethodCodec(method))
        elif contract.owner in settings.SEAMS_SERVICE_URLS:
            # Imported only by a process that calls another one (its HTTP client,
            # breakers and retries are no use to the monolith).
            from extraction.rpc.client import remote_adapter

            base_url = settings.SEAMS_SERVICE_URLS[contract.owner]
            registry.provide(contract, remote_adapter(contract, base_url=base_url))


def served_contract(name: str) -> type[Service] | None:
    """The contract called ``name`` when this process provides it."""
    return _served.get(name)


def served_method(contract: str, method: str) -> tuple[type[Service], MethodCodec] | None:
    return _codecs.get((contract, method))
