"""What every Seams process switches on at startup (``ExtractionConfig.ready``)."""

from __future__ import annotations

from django.conf import settings

from extraction.observability import contract_calls, logs, remote, tracing


def on_ready() -> None:
    logs.configure_structlog()
    contract_calls.install()
    if settings.SEAMS_SERVICE_URLS:
        remote.install(remote.RpcRemoteServices())
    tracing.configure(
        endpoint=settings.OTEL_EXPORTER_OTLP_ENDPOINT, service_name=settings.OTEL_SERVICE_NAME
    )
