"""Composition root: settings, URLs, the Celery app, WSGI/ASGI entry points.

The Celery app (``project.celery``) is created on first use, not by every process
that loads the settings: ``celery -A project`` finds it in ``project.celery``,
declaring a task imports it (``apikit.tasks``), and ``celery_app`` here is it.
"""

from typing import Any

__all__ = ["celery_app"]


def __getattr__(name: str) -> Any:
    if name == "celery_app":
        from project.celery import app

        return app
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
