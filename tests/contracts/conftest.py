"""The three modes every contract suite runs in, with the same assertions.

- ``direct``: ``get(...)`` returns the local provider (behind the transaction guard);
- ``codec``: the same, with ``SEAMS_CONTRACT_CODEC`` on: arguments, results and
  errors round-trip through the wire codec;
- ``http``: the contracts are bound to their remote adapters, pointed at a live
  gunicorn provider with its own database (``tests/contracts/live.py``), started
  once per session and worker.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import pytest

from contracts.orders import OrdersService
from contracts.payments import PaymentsService
from contracts.services import registry
from contracts.users import UsersService
from extraction.rpc import breakers
from extraction.rpc.client import remote_adapter
from extraction.rpc.observers import CallRecord, call_finished
from tests.contracts.live import KEY, LiveProvider

CONTRACTS = (UsersService, OrdersService, PaymentsService)
MODES = (
    "direct",
    "codec",
    pytest.param("http", marks=pytest.mark.postgres),
)


@contextlib.contextmanager
def bound_to(provider: LiveProvider) -> Iterator[LiveProvider]:
    """Every contract bound to its remote adapter at ``provider``, and this thread's
    ``default`` database the provider's, for the block (``settings`` fixture keys)."""
    breakers.reset_breakers()
    bound = {contract: registry.factory(contract) for contract in CONTRACTS}
    for contract in CONTRACTS:
        registry.provide(contract, remote_adapter(contract, base_url=provider.url), replace=True)
    try:
        with provider.as_default_database():
            yield provider
    finally:
        for contract, factory in bound.items():
            if factory is not None:
                registry.provide(contract, factory, replace=True)


@pytest.fixture
def remote_contracts(request, settings) -> Iterator[LiveProvider]:
    """Bind every contract to its remote adapter at the live provider for one test."""
    settings.SEAMS_RPC_KEYS = [KEY]
    with bound_to(request.getfixturevalue("live_provider")) as provider:
        yield provider


TRANSPORTS = {"direct": "direct", "codec": "codec", "http": "http"}


@pytest.fixture(params=MODES)
def mode(request, settings) -> Iterator[str]:
    """The mode of this run; afterwards, every contract call must have used its transport."""
    settings.SEAMS_CONTRACT_CODEC = request.param == "codec"
    if request.param == "http":
        request.getfixturevalue("remote_contracts")
    records: list[CallRecord] = []

    def observe(sender, record: CallRecord, **kwargs) -> None:
        records.append(record)

    call_finished.connect(observe, weak=False)
    try:
        yield request.param
    finally:
        call_finished.disconnect(observe)
    assert records, "the test made no contract call"
    assert {r.transport for r in records} == {TRANSPORTS[request.param]}
