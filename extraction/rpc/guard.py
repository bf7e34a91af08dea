"""No contract call inside an open database transaction, in any mode.

A call that works inside a transaction in the monolith would hold row locks
across a network call once the provider moves out, and its effects would not
roll back with the caller's. The call is refused (``ContractCallInTransaction``);
a production deployment may downgrade the refusal to a logged warning with
``SEAMS_CONTRACT_IN_TRANSACTION=warn`` (never with DEBUG on).

The atomic blocks a test case opens around each test do not count.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.db import connections

from contracts.services import Service

# A module import: the observers call this guard, and this guard sends their signal.
from extraction.rpc import observers

logger = logging.getLogger(__name__)


class ContractCallInTransaction(RuntimeError):
    """A contract method was called while a database transaction was open."""


def in_transaction() -> bool:
    for connection in connections.all(initialized_only=True):
        if connection.in_atomic_block and any(
            not getattr(block, "_from_testcase", False) for block in connection.atomic_blocks
        ):
            return True
    return False


def ensure_no_transaction(contract: type[Service], method: str) -> None:
    if not in_transaction():
        return
    refuse = settings.DEBUG or settings.SEAMS_CONTRACT_IN_TRANSACTION != "warn"
    observers.call_in_transaction.send(
        sender=contract,
        contract=contract.__name__,
        method=method,
        action="refused" if refuse else "allowed",
    )
    where = f"{contract.__name__}.{method}()"
    if refuse:
        raise ContractCallInTransaction(
            f"{where} was called inside a database transaction: call contracts before "
            f"the transaction opens or after it commits (transaction.on_commit)"
        )
    logger.warning("contract call inside a database transaction: %s", where)
