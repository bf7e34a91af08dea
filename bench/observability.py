"""What observability costs per contract call and per request: prints numbers, not a test.

    .venv/bin/python bench/observability.py [--calls 200000]

Per contract call, in process, no database: a trivial provider called bare, and
through the local adapter the registry binds (transaction guard, call record and
its observers) with tracing off (the default: no span at all) and with tracing on
(an SDK tracer recording into memory); plus the observer alone, which turns each
call into metrics. Per request: ``/healthz`` through Django's test client
with and without the correlation and request-metrics middleware.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "project.settings")
os.environ.setdefault("SECRET_KEY", "bench-only-secret-key")
os.environ.setdefault("DATABASE_URL", "sqlite:///:memory:")

import django

django.setup()

from django.test import Client, override_settings  # noqa: E402
from opentelemetry.sdk.trace.export import SimpleSpanProcessor  # noqa: E402
from opentelemetry.sdk.trace.export.in_memory_span_exporter import (  # noqa: E402
    InMemorySpanExporter,
)

from contracts.services import Service  # noqa: E402
from extraction.observability import contract_calls, tracing  # noqa: E402
from extraction.rpc.local import local_adapter  # noqa: E402
from extraction.rpc.observers import CallRecord  # noqa: E402


class Echo(Service):
    owner = "bench"

    def echo(self, *, value: int) -> int:
        raise NotImplementedError


class EchoProvider(Echo):
    def echo(self, *, value: int) -> int:
        return value


def per_call(function, calls: int) -> float:
    started = time.perf_counter()
    for i in range(calls):
        function(value=i)
    return (time.perf_counter() - started) / calls * 1e9


def per_request(client: Client, requests: int) -> float:
    started = time.perf_counter()
    for _ in range(requests):
        client.get("/healthz")
    return (time.perf_counter() - started) / requests * 1e6


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--calls", type=int, default=200_000)
    parser.add_argument("--requests", type=int, default=5_000)
    args = parser.parse_args()
    bare = EchoProvider()
    wrapped = local_adapter(Echo, EchoProvider)()
    record = CallRecord("Echo", "echo", "bench", "local", "ok", None, 0.0001, None)
    print(f"contract call, bare provider:           {per_call(bare.echo, args.calls):8.0f} ns")
    print(f"contract call, adapter, tracing off:    {per_call(wrapped.echo, args.calls):8.0f} ns")
    started = time.perf_counter()
    for _ in range(args.calls):
        contract_calls.on_call_finished(Echo, record)
    observer = (time.perf_counter() - started) / args.calls * 1e9
    print(f"call observer (metrics, recent calls):  {observer:8.0f} ns")
    plain = [m for m in django.conf.settings.MIDDLEWARE if "observability" not in m]
    per_request(Client(), args.requests // 4)  # warm up
    with override_settings(MIDDLEWARE=plain):
        without = per_request(Client(), args.requests)
    with_them = per_request(Client(), args.requests)
    print(f"/healthz without the observability middleware: {without:8.1f} µs")
    print(f"/healthz with it (correlation id, metrics, log line): {with_them:8.1f} µs")
    tracing.configure(
        endpoint="", service_name="bench", processor=SimpleSpanProcessor(InMemorySpanExporter())
    )
    print(f"contract call, adapter, tracing on:     {per_call(wrapped.echo, args.calls):8.0f} ns")


if __name__ == "__main__":
    main()
