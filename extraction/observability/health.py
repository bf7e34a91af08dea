"""Readiness of a Seams process: what ``/readyz`` reports and decides.

Ready means this process can do its work now: its database answers, every
migration it owns is applied, its broker answers (when it has one), and no
remote service it calls has an open circuit breaker. The service queues it
should consume are reported (messages waiting, consumers attached) without
deciding readiness: a web process is not the one that drains them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import DatabaseError, connections
from django.db.migrations.executor import MigrationExecutor

from extraction.observability import broker
from extraction.observability.remote import remote_services


@dataclass
class Readiness:
    checks: dict[str, dict[str, Any]] = field(default_factory=dict)

    @property
    def ready(self) -> bool:
        return all(check["ok"] for check in self.checks.values())

    def as_dict(self) -> dict[str, Any]:
        return {"status": "ready" if self.ready else "not_ready", "checks": self.checks}


_migrated: set[str] = set()  # databases seen fully migrated: migrations are not undone


def check_database(alias: str = "default") -> dict[str, Any]:
    connection = connections[alias]
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError as exc:
        connection.close()
        return {"ok": False, "error": f"{type(exc).__name__}: {exc}".strip()[:300]}
    return {"ok": True, "vendor": connection.vendor}


def check_migrations(alias: str = "default") -> dict[str, Any]:
    if alias in _migrated:
        return {"ok": True, "unapplied": []}
    try:
        executor = MigrationExecutor(connections[alias])
        plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    except DatabaseError as exc:
        return {"ok": False, "error": f"{type(exc).__name__}: {exc}".strip()[:300]}
    unapplied = [f"{migration.app_label}.{migration.name}" for migration, _ in plan]
    if not unapplied:
        _migrated.add(alias)
    return {"ok": not unapplied, "unapplied": unapplied}


def check_broker() -> dict[str, Any]:
    url = settings.CELERY_BROKER_URL
    services = broker.local_consumer_services()
    try:
        stats = broker.queue_stats(url, services=services)
    except broker.BrokerUnreachable as exc:
        return {"ok": False, "error": str(exc)[:300]}
    return {"ok": True, "queues": {q.service: q.as_dict() for q in stats}}


def check_remote_services() -> dict[str, Any]:
    services = remote_services()
    return {
        "ok": all(s.available for s in services),
        "services": {
            s.name: {"url": s.url, "breaker": s.breaker_state, "failures": s.failures}
            for s in services
        },
    }


def readiness() -> Readiness:
    result = Readiness()
    result.checks["database"] = check_database()
    result.checks["migrations"] = (
        check_migrations()
        if result.checks["database"]["ok"]
        else {"ok": False, "error": "database unreachable"}
    )
    if settings.CELERY_BROKER_URL:
        result.checks["broker"] = check_broker()
    result.checks["remote_services"] = check_remote_services()
    return result
