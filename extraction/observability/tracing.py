"""OpenTelemetry: spans for Django, Celery, psycopg2 and urllib3, exported over OTLP.

``configure`` runs once per process (web at WSGI import, worker at Celery's
process init, commands through Django's setup) and does nothing unless
``OTEL_EXPORTER_OTLP_ENDPOINT`` is set: no provider, no instrumentation, the SDK
not even imported, and the API's no-op tracer — the contract-call spans cost one
no-op call each.

Trace context crosses process boundaries in W3C ``traceparent`` headers: the RPC
client sends the current context with each call (urllib3 instrumentation, or
``inject_headers`` by hand), and an event carries the context of the request
that published it in its outbox row, and from there in the broker message; the
consumer continues that trace around its handlers (``extract_context``).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from opentelemetry import context, propagate, trace

if TYPE_CHECKING:
    # The SDK is imported by ``configure`` only: a process without tracing never loads it.
    from opentelemetry.sdk.trace import SpanProcessor, TracerProvider

logger = logging.getLogger(__name__)

_lock = threading.Lock()
_configured = False
_provider: TracerProvider | None = None  # the global provider is set once per process


def configure(*, endpoint: str, service_name: str, processor: SpanProcessor | None = None) -> bool:
    """Install the tracer provider and the instrumentations; False when tracing is off.

    ``processor`` replaces the OTLP exporter (tests pass an in-memory one).
    """
    global _configured, _provider
    if not endpoint and processor is None:
        return False
    from opentelemetry.sdk.resources import Resource
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import BatchSpanProcessor

    with _lock:
        if _configured:
            return True
        if _provider is None:
            _provider = TracerProvider(resource=Resource.create({"service.name": service_name}))
            trace.set_tracer_provider(_provider)
        if processor is None:
            from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

            processor = BatchSpanProcessor(OTLPSpanExporter())
        _provider.add_span_processor(processor)
        _instrument()
        _configured = True
    logger.info("tracing on: %s exports spans", service_name)
    return True


def _instrument() -> None:
    from opentelemetry.instrumentation.celery import CeleryInstrumentor
    from opentelemetry.instrumentation.django import DjangoInstrumentor
    from opentelemetry.instrumentation.psycopg2 import Psycopg2Instrumentor
    from opentelemetry.instrumentation.urllib3 import URLLib3Instrumentor

    DjangoInstrumentor().instrument()
    CeleryInstrumentor().instrument()
    Psycopg2Instrumentor().instrument(skip_dep_check=True)
    URLLib3Instrumentor().instrument()


def is_on() -> bool:
    """Whether this process records spans (``configure`` installed a provider)."""
    return _configured


def inject_headers(carrier: dict[str, Any] | None = None) -> dict[str, Any]:
    """The current trace context as headers (``traceparent``; empty when no span is on)."""
    carrier = {} if carrier is None else carrier
    propagate.inject(carrier)
    return carrier


def extract_context(headers: Mapping[str, Any] | None) -> context.Context:
    """The trace context ``headers`` carry (the current one when they carry none)."""
    return propagate.extract(dict(headers or {}))


def uninstrument() -> None:
    """Remove the instrumentations (tests that switched tracing on for a while)."""
    global _configured
    from opentelemetry.instrumentation.celery import CeleryInstrumentor
    from opentelemetry.instrumentation.django import DjangoInstrumentor
    from opentelemetry.instrumentation.psycopg2 import Psycopg2Instrumentor
    from opentelemetry.instrumentation.urllib3 import URLLib3Instrumentor

    with _lock:
        for instrumentor in (
            DjangoInstrumentor(),
            CeleryInstrumentor(),
            Psycopg2Instrumentor(),
            URLLib3Instrumentor(),
        ):
            instrumentor.uninstrument()
        # The provider stays (it cannot be replaced); the caller shuts its processor down.
        _configured = False
