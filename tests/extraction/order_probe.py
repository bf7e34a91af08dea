"""Test-only subscriber of the real ``orders.OrderPlaced`` (loaded by subprocesses only).

Kept apart from probe_handlers so the test runner itself, which delivers events
in process for the other suites, never runs it.
"""

from __future__ import annotations

import uuid

from django.contrib.auth.models import Group

from contracts.events import subscribe
from contracts.orders import OrderPlaced

MODULE = __name__


@subscribe(OrderPlaced, service="payments")
def record_order_placed(event: OrderPlaced) -> None:
    Group.objects.create(name=f"placed:{event.order_id}:{uuid.uuid4().hex[:8]}")
