"""Celery task outcomes as ``seams_celery_tasks_total{task,outcome}``.

``task_postrun`` fires in the process that ran the task (a worker, or the caller
in eager mode) with the final state: succeeded, failed, retried or rejected.
"""

from __future__ import annotations

from typing import Any

from celery import signals

from extraction.observability.metrics import celery_tasks

OUTCOMES = {
    "SUCCESS": "succeeded",
    "FAILURE": "failed",
    "RETRY": "retried",
    "REJECTED": "rejected",
    "IGNORED": "ignored",
}


def on_task_postrun(sender: Any = None, state: str | None = None, **_: Any) -> None:
    name = getattr(sender, "name", None) or "unknown"
    celery_tasks.labels(name, OUTCOMES.get(state or "", (state or "unknown").lower())).inc()


def connect() -> None:
    signals.task_postrun.connect(on_task_postrun, weak=False, dispatch_uid="seams-task-outcomes")
