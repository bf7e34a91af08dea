"""Test-only events and handlers, loaded by every process of a fault test.

The test runner imports this module; the relay and worker subprocesses load it
through ``SEAMS_EXTRA_HANDLER_MODULES``. Each handler has a real, non-idempotent
effect — it creates an auth Group with a unique name — so counting the groups of
a label tells how many times the effect was applied.
"""

from __future__ import annotations

import time
import uuid
from pathlib import Path

from django.contrib.auth.models import Group

from contracts.events import Event, event, subscribe

MODULE = __name__


@event
class Probed(Event):
    """Handled by ``orders`` and by ``payments``: each service gets its own copy."""

    name = "tests.Probed"
    version = 1

    label: str
    # A directory for the slow probe's run log (the worker-kill test).
    marker_dir: str = ""


@event
class OrdersProbed(Event):
    """Handled by ``orders`` only."""

    name = "tests.OrdersProbed"
    version = 1

    label: str


@event
class NobodyProbed(Event):
    """No service subscribes: it is routed nowhere."""

    name = "tests.NobodyProbed"
    version = 1

    label: str


def effects(prefix: str, label: str) -> int:
    return Group.objects.filter(name__startswith=f"{prefix}:{label}:").count()


@subscribe(Probed, service="orders")
def apply_probe(event: Probed) -> None:
    Group.objects.create(name=f"probe:{event.label}:{uuid.uuid4().hex[:12]}")
    if event.label.startswith("poison"):
        raise RuntimeError(f"poison probe {event.label}: this handler always fails")
    if event.label.startswith("slow") and event.marker_dir:
        runs = Path(event.marker_dir) / f"{event.label}.runs"
        first = not runs.exists()
        with runs.open("a") as log:
            log.write("run\n")
        if first:
            time.sleep(60)  # the test kills the worker meanwhile


@subscribe(Probed, service="payments")
def audit_probe(event: Probed) -> None:
    Group.objects.create(name=f"audit:{event.label}:{uuid.uuid4().hex[:12]}")


@subscribe(OrdersProbed, service="orders")
def apply_orders_probe(event: OrdersProbed) -> None:
    Group.objects.create(name=f"orders:{event.label}:{uuid.uuid4().hex[:12]}")
