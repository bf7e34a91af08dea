"""Reads of the event machinery: counts and lag for ``outbox status`` and metrics."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import Count, Min
from django.utils import timezone

from extraction.models import DUE_STATUSES, DeliveryFailure, OutboxEvent, OutboxStatus


@dataclass(frozen=True)
class OutboxStats:
    by_status: dict[str, int]
    by_name: dict[str, dict[str, int]]  # event name → status → count
    oldest_due_created_at: datetime | None
    oldest_due_age_seconds: float | None  # the relay's lag; None when nothing is due
    deliveries_by_status: dict[str, int]  # consumer-side failures (broker mode)
    deliveries_by_handler: dict[str, dict[str, int]] = field(default_factory=dict)

    def as_dict(self) -> dict[str, object]:
        return {
            "outbox": {
                "by_status": self.by_status,
                "by_name": self.by_name,
                "oldest_pending_created_at": (
                    self.oldest_due_created_at.isoformat() if self.oldest_due_created_at else None
                ),
                "oldest_pending_age_seconds": self.oldest_due_age_seconds,
            },
            "deliveries": {
                "by_status": self.deliveries_by_status,
                "by_handler": self.deliveries_by_handler,
            },
        }


def outbox_stats() -> OutboxStats:
    by_status = {s.value: 0 for s in OutboxStatus}
    by_name: dict[str, dict[str, int]] = {}
    for row in OutboxEvent.objects.order_by().values("name", "status").annotate(n=Count("id")):
        by_status[row["status"]] = by_status.get(row["status"], 0) + row["n"]
        by_name.setdefault(row["name"], {})[row["status"]] = row["n"]
    oldest = OutboxEvent.objects.filter(status__in=DUE_STATUSES).aggregate(m=Min("created_at"))["m"]
    deliveries: dict[str, int] = {}
    by_handler: dict[str, dict[str, int]] = {}
    for row in (
        DeliveryFailure.objects.order_by().values("handler", "status").annotate(n=Count("id"))
    ):
        deliveries[row["status"]] = deliveries.get(row["status"], 0) + row["n"]
        by_handler.setdefault(row["handler"], {})[row["status"]] = row["n"]
    return OutboxStats(
        by_status=by_status,
        by_name=by_name,
        oldest_due_created_at=oldest,
        oldest_due_age_seconds=(
            max(0.0, (timezone.now() - oldest).total_seconds()) if oldest else None
        ),
        deliveries_by_status=deliveries,
        deliveries_by_handler=by_handler,
    )
