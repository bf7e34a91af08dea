"""Prometheus series of a Seams process, and the registry a scrape reads.

Counters and histograms are prometheus-client's; under gunicorn (several worker
processes) set ``PROMETHEUS_MULTIPROC_DIR`` to an empty directory shared by the
processes of one pod: each process writes its samples there and a scrape of any
of them sums them all (``deploy/gunicorn.conf.py`` marks dead workers). Live
values (the outbox's counts and lag, the breakers, the broker's queues) are read
at scrape time by collectors instead, so they are right whichever process answers.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator

from django.conf import settings
from prometheus_client import (
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    multiprocess,
    start_http_server,
)
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from extraction.metrics import OutboxCollector
from extraction.observability import broker
from extraction.observability.remote import BreakerState, remote_services

logger = logging.getLogger(__name__)

LATENCY_BUCKETS = (0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10)

http_requests = Histogram(
    "seams_http_request_duration_seconds",
    "Public requests by route, method and status, with their latency",
    ["route", "method", "status"],
    buckets=LATENCY_BUCKETS,
)
contract_calls = Histogram(
    "seams_contract_call_duration_seconds",
    "Contract calls by contract, method, transport (direct, codec, http, served) and outcome "
    "(ok, contract_error, unavailable, error)",
    ["contract", "method", "transport", "outcome"],
    buckets=LATENCY_BUCKETS,
)
consumer_deliveries = Counter(
    "seams_consumer_deliveries",
    "Events handed to a local handler, by service, event and outcome "
    "(applied, duplicate: the inbox had it, failed: the handler raised)",
    ["service", "event", "outcome"],
)
celery_tasks = Counter(
    "seams_celery_tasks",
    "Celery task outcomes (succeeded, failed, retried, rejected) by task name",
    ["task", "outcome"],
)


def record_contract_call(
    *, contract: str, method: str, transport: str, outcome: str, seconds: float
) -> None:
    """The hook every transport calls once per contract call (the wrapper, the RPC server)."""
    contract_calls.labels(contract, method, transport, outcome).observe(seconds)


class BreakerCollector(Collector):
    """``seams_remote_breaker_state{service,state}``: 1 for the breaker's current state."""

    def collect(self) -> Iterator[Metric]:
        state = GaugeMetricFamily(
            "seams_remote_breaker_state",
            "Circuit breaker of each remote service: 1 for its current state",
            labels=["service", "state"],
        )
        failures = GaugeMetricFamily(
            "seams_remote_breaker_failures",
            "Consecutive failures counted by each remote service's breaker",
            labels=["service"],
        )
        for service in remote_services():
            for name in BreakerState.ALL:
                state.add_metric([service.name, name], 1.0 if service.breaker_state == name else 0)
            failures.add_metric([service.name], service.failures)
        yield state
        yield failures


class QueueCollector(Collector):
    """Per service event queue, the broker's message and consumer counts."""

    def collect(self) -> Iterator[Metric]:
        messages = GaugeMetricFamily(
            "seams_event_queue_messages",
            "Messages waiting in each service's event queue (the broker's count)",
            labels=["service", "queue"],
        )
        consumers = GaugeMetricFamily(
            "seams_event_queue_consumers",
            "Consumers attached to each service's event queue (0: nothing drains it)",
            labels=["service", "queue"],
        )
        up = GaugeMetricFamily("seams_broker_up", "1 when the broker answered this scrape")
        if settings.CELERY_BROKER_URL:
            try:
                stats = broker.queue_stats(settings.CELERY_BROKER_URL)
            except broker.BrokerUnreachable as exc:
                logger.warning("metrics: broker unreachable: %s", exc)
                up.add_metric([], 0)
            else:
                up.add_metric([], 1)
                for q in stats:
                    messages.add_metric([q.service, q.queue], q.messages)
                    consumers.add_metric([q.service, q.queue], q.consumers)
            yield up
        yield messages
        yield consumers


class _ProcessMetrics(Collector):
    """This process's own registry (no multiprocess directory)."""

    def collect(self) -> Iterator[Metric]:
        yield from REGISTRY.collect()


def scrape_registry() -> CollectorRegistry:
    """A registry for one scrape: every process's samples plus the live collectors."""
    registry = CollectorRegistry(auto_describe=False)
    if settings.PROMETHEUS_MULTIPROC_DIR:
        multiprocess.MultiProcessCollector(registry, path=settings.PROMETHEUS_MULTIPROC_DIR)
    else:
        registry.register(_ProcessMetrics())
    registry.register(OutboxCollector())
    registry.register(BreakerCollector())
    registry.register(QueueCollector())
    return registry


def serve_process_metrics(port: int) -> None:
    """Serve this process's own series on ``port`` (a worker has no web server).

    A port of the pod's own, not behind any Service or ingress: the scraper
    reaches it in the cluster, the public never does.
    """
    if settings.PROMETHEUS_MULTIPROC_DIR:
        registry = CollectorRegistry(auto_describe=False)
        multiprocess.MultiProcessCollector(registry, path=settings.PROMETHEUS_MULTIPROC_DIR)
    else:
        registry = REGISTRY
    start_http_server(port, registry=registry)
    logger.info("process metrics on port %d", port)
