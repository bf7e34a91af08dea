"""Prometheus view of the outbox: counts by status and the relay's lag.

``/metrics`` serves it (``extraction.observability.metrics.scrape_registry`` adds it
to each scrape): registering it again would export every series twice.

Each scrape runs the two aggregate queries of ``extraction.selectors.outbox_stats``.
"""

from __future__ import annotations

from collections.abc import Iterator

from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

from extraction.selectors import outbox_stats


class OutboxCollector(Collector):
    def collect(self) -> Iterator[GaugeMetricFamily]:
        stats = outbox_stats()
        events = GaugeMetricFamily(
            "seams_outbox_events", "Outbox rows by event name and status", labels=["name", "status"]
        )
        for name, statuses in sorted(stats.by_name.items()):
            for status, count in sorted(statuses.items()):
                events.add_metric([name, status], count)
        yield events
        lag = GaugeMetricFamily(
            "seams_outbox_oldest_pending_age_seconds",
            "Age of the oldest outbox row not yet published (0 when none)",
        )
        lag.add_metric([], stats.oldest_due_age_seconds or 0.0)
        yield lag
        failures = GaugeMetricFamily(
            "seams_consumer_delivery_failures",
            "Consumer deliveries that failed, by status (retrying, parked, resolved)",
            labels=["status"],
        )
        for status, count in sorted(stats.deliveries_by_status.items()):
            failures.add_metric([status], count)
        yield failures
