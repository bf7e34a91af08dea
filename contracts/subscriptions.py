"""The subscription manifest: which service consumes which events.

The broker needs every consumer's queue, bound to the events it consumes, before
the first of those events is published: a topic exchange drops what no queue is
bound to. A publisher cannot learn that from the handlers, because the consuming
app is not installed in its process once it runs elsewhere. So the manifest is
declared here, in the language every process shares, independent of which apps
a process runs; a system check and a test hold it equal to the handlers that the
apps actually subscribe (``contracts.subscribe(..., service=...)``).
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Final

from contracts.events import Event
from contracts.orders import CaptureRejected
from contracts.payments import (
    CaptureCompensated,
    PaymentCaptured,
    PaymentFailed,
    PaymentRefunded,
    RefundFailed,
)
from contracts.users import UserDeactivated, UserRegistered

# Every bounded app, with the events its handlers consume. UserDeactivated goes to
# every service: each one refuses the account's tokens (project/token_revocation.py).
MANIFEST: Final[Mapping[str, tuple[type[Event], ...]]] = MappingProxyType(
    {
        "users": (UserRegistered, UserDeactivated),
        "orders": (
            PaymentCaptured,
            PaymentFailed,
            PaymentRefunded,
            RefundFailed,
            CaptureCompensated,
            UserDeactivated,
        ),
        "payments": (CaptureRejected, UserDeactivated),
    }
)


def consumed_event_names(service: str) -> frozenset[str]:
    """The names of the events ``service`` consumes (empty for an unknown service)."""
    return frozenset(event_type.name for event_type in MANIFEST.get(service, ()))
