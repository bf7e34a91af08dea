"""``shared_task`` for the apps' Celery tasks, bound to the process's Celery app.

An app declares its tasks with ``shared_task`` and never imports the composition
root, whose Celery app (configured from the settings: queues, eager in the
embedded default) the tasks run on. That app is created on first use, not by
every process that loads the settings — a web process that never runs a task
never imports Celery — so declaring a task imports the module named by
``settings.SEAMS_CELERY_APP`` first: a task is never bound to Celery's
unconfigured fallback app.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

import celery
from django.conf import settings


def shared_task(*args: Any, **options: Any) -> Any:
    """``celery.shared_task``, once the process's Celery app exists."""
    import_module(settings.SEAMS_CELERY_APP)
    return celery.shared_task(*args, **options)
