"""What the operator's page of the seams shows, gathered in one read.

Each app: here or elsewhere (its URL), the breaker and recent error rate of each
remote one; the contract calls of the last minutes; the outbox's lag and its
parked events; the module diagram, drawn from the code (the contracts each app
uses, the events each app subscribes to).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.apps import apps as django_apps
from django.conf import settings

from contracts.events import subscriptions
from extraction.models import DeliveryFailure, DeliveryStatus, OutboxEvent, OutboxStatus
from extraction.observability.recent_calls import CallSummary, recent_calls
from extraction.observability.remote import RemoteService, remote_services
from extraction.selectors import OutboxStats, outbox_stats

PARKED_SHOWN = 20


@dataclass(frozen=True)
class AppPlacement:
    name: str
    local: bool
    url: str  # where it runs when not here ("" when local or unknown)
    remote: RemoteService | None
    calls: int  # contract calls to it in the window (remote apps)
    error_rate: float


@dataclass(frozen=True)
class Edge:
    source: str
    target: str
    label: str
    kind: str  # "call" (a contract) or "event"


@dataclass(frozen=True)
class Overview:
    apps: list[AppPlacement]
    calls: list[CallSummary]
    outbox: OutboxStats
    parked_events: list[OutboxEvent]
    parked_deliveries: list[DeliveryFailure]
    edges: list[Edge] = field(default_factory=list)


def module_edges() -> list[Edge]:
    """Contract calls and event subscriptions between apps, as this process knows them."""
    edges = set()
    for name in settings.ALL_SERVICES:
        try:
            config = django_apps.get_app_config(name)
        except LookupError:
            continue  # runs elsewhere: its own uses are known there
        for contract in getattr(config, "contracts_used", ()):
            edges.add(Edge(name, contract.owner, contract.__name__, "call"))
    for subscription in subscriptions():
        publisher = subscription.event_type.name.partition(".")[0]
        label = subscription.event_type.name.partition(".")[2]
        edges.add(Edge(publisher, subscription.service, label, "event"))
    return sorted(edges, key=lambda e: (e.kind, e.source, e.target, e.label))


def overview() -> Overview:
    calls = recent_calls.summaries()
    remotes = {service.name: service for service in remote_services()}
    placements = []
    for name in settings.ALL_SERVICES:
        remote = remotes.get(name)
        to_it = [c for c in calls if c.key.owner == name and c.key.transport != "direct"]
        count = sum(c.calls for c in to_it)
        placements.append(
            AppPlacement(
                name=name,
                local=name in settings.SEAMS_SERVICES,
                url=remote.url if remote else "",
                remote=remote,
                calls=count,
                error_rate=sum(c.errors for c in to_it) / count if count else 0.0,
            )
        )
    return Overview(
        apps=placements,
        calls=calls,
        outbox=outbox_stats(),
        parked_events=list(
            OutboxEvent.objects.filter(status=OutboxStatus.PARKED).order_by("-id")[:PARKED_SHOWN]
        ),
        parked_deliveries=list(
            DeliveryFailure.objects.filter(status=DeliveryStatus.PARKED).order_by("-id")[
                :PARKED_SHOWN
            ]
        ),
        edges=module_edges(),
    )
