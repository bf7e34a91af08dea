"""Production observability of a Seams process: health, metrics, logs, traces, operations.

- ``health``: the liveness and readiness checks behind ``/healthz`` and ``/readyz``;
- ``remote``: what this process knows of the apps that run elsewhere (their URL and
  circuit breaker), the interface the RPC client plugs into;
- ``metrics``: Prometheus series (multiprocess-safe under gunicorn) and ``/metrics``;
- ``contract_calls``: the metrics, recent calls and span attributes of every contract call
  (the adapters that make the calls open their spans);
- ``middleware``: the correlation id and the request metrics of each public request;
- ``logs``: structlog as the formatter of every log line (JSON, or console with DEBUG);
- ``tracing``: OpenTelemetry, exporting OTLP only when an endpoint is configured;
- ``broker``: message and consumer counts of the services' event queues;
- ``operations``: the operator's page in the admin.
"""
