"""structlog renders every log line of the process, stdlib loggers included.

``logging_config`` builds the ``LOGGING`` dict of ``project/settings.py``: one
console handler whose formatter is structlog's ``ProcessorFormatter`` — JSON
lines in production, coloured key=value lines with DEBUG. Each line carries the
correlation id of the request, task or call it belongs to (``correlation_id``),
and, when a span is recording, its ``trace_id``/``span_id``.

This module is imported by the settings: it imports no Django model.
"""

from __future__ import annotations

from typing import Any

import structlog
from opentelemetry import trace
from structlog.typing import EventDict, WrappedLogger

from extraction import correlation


def add_correlation_id(_: WrappedLogger, __: str, event: EventDict) -> EventDict:
    value = correlation.get()
    if value is not None:
        event.setdefault("correlation_id", value)
    return event


def add_trace_ids(_: WrappedLogger, __: str, event: EventDict) -> EventDict:
    span = trace.get_current_span().get_span_context()
    if span.is_valid:
        event.setdefault("trace_id", format(span.trace_id, "032x"))
        event.setdefault("span_id", format(span.span_id, "016x"))
    return event


def shared_processors() -> list[Any]:
    return [
        structlog.contextvars.merge_contextvars,
        structlog.stdlib.add_logger_name,
        structlog.stdlib.add_log_level,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        add_correlation_id,
        add_trace_ids,
    ]


def logging_config(*, json: bool, level: str) -> dict[str, Any]:
    renderer: Any = (
        structlog.processors.JSONRenderer() if json else structlog.dev.ConsoleRenderer(colors=False)
    )
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {
            "structlog": {
                "()": structlog.stdlib.ProcessorFormatter,
                "foreign_pre_chain": [
                    *shared_processors(),
                    structlog.stdlib.ExtraAdder(),
                ],
                "processors": [
                    structlog.stdlib.ProcessorFormatter.remove_processors_meta,
                    structlog.processors.format_exc_info if json else _keep,
                    renderer,
                ],
            }
        },
        "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "structlog"}},
        "root": {"handlers": ["console"], "level": level},
        # gunicorn logs through its own handlers; send them through ours instead.
        "loggers": {
            name: {"handlers": ["console"], "level": level, "propagate": False}
            for name in ("gunicorn.error", "gunicorn.access")
        },
    }


def _keep(_: WrappedLogger, __: str, event: EventDict) -> EventDict:
    return event


def configure_structlog() -> None:
    """structlog's own loggers (``structlog.get_logger``) go through the same formatter."""
    structlog.configure(
        processors=[
            # First: a line below the logger's level costs a level check, not the chain.
            structlog.stdlib.filter_by_level,
            *shared_processors(),
            structlog.stdlib.ProcessorFormatter.wrap_for_formatter,
        ],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=True,
    )
