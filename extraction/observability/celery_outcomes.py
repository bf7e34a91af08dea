"""Celery task outcomes as ``seams_celery_tasks_total{task,outcome}``.

``task_postrun`` fires in the process that ran the task (a worker, or the caller
in eager mode) with the final state: succeeded, failed, retried or rejected. A
worker (like the relay) serves its series on ``SEAMS_METRICS_PORT`` (off by default).

The Celery app connects these when it is created (``project.celery``, which
``celery -A project`` imports before Django is set up: the metrics are imported
when a signal fires).
"""

from __future__ import annotations

from typing import Any

from celery import signals
from django.conf import settings

OUTCOMES = {
    "SUCCESS": "succeeded",
    "FAILURE": "failed",
    "RETRY": "retried",
    "REJECTED": "rejected",
    "IGNORED": "ignored",
}


def on_task_postrun(sender: Any = None, state: str | None = None, **_: Any) -> None:
    from extraction.observability.metrics import celery_tasks

    name = getattr(sender, "name", None) or "unknown"
    celery_tasks.labels(name, OUTCOMES.get(state or "", (state or "unknown").lower())).inc()


def on_worker_init(**_: Any) -> None:
    if settings.SEAMS_METRICS_PORT:
        from extraction.observability.metrics import serve_process_metrics

        serve_process_metrics(settings.SEAMS_METRICS_PORT)


def connect() -> None:
    signals.task_postrun.connect(on_task_postrun, weak=False, dispatch_uid="seams-task-outcomes")
    signals.worker_init.connect(on_worker_init, weak=False, dispatch_uid="seams-worker-metrics")
