"""Per request: the correlation id (in, bound, out) and the request's metrics.

``CorrelationMiddleware`` goes first in ``MIDDLEWARE``: it binds the id from the
request's ``X-Correlation-ID`` (when usable, else a new one) for the whole
request — log lines, the outbox rows of the events it publishes, the RPC calls
it makes — and sends it back in the response's ``X-Correlation-ID``.

``ProbeMiddleware`` answers ``/healthz``, ``/readyz`` and ``/metrics`` before
Django checks the Host header or redirects to HTTPS: probes and scrapes reach the
pod by its IP over plain HTTP, which ``ALLOWED_HOSTS`` and ``SECURE_SSL_REDIRECT``
rightly refuse for every other route.

``RequestMetricsMiddleware`` observes
``seams_http_request_duration_seconds{route,method,status}``; the route is the
URL pattern (``api/v1/orders/<uuid:order_id>``), never the raw path, so ids do
not explode the label set.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import structlog
from django.http import HttpRequest, HttpResponse
from django.urls import resolve

from extraction import correlation
from extraction.observability import views
from extraction.observability.metrics import http_requests

UNMATCHED = "<unmatched>"

logger = structlog.get_logger("seams.request")


class CorrelationMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        with correlation.bound(request.META.get(correlation.META_KEY)) as value:
            response = self.get_response(request)
        response[correlation.HEADER] = value
        return response


class RequestMetricsMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        started = time.perf_counter()
        response = self.get_response(request)
        seconds = time.perf_counter() - started
        match = getattr(request, "resolver_match", None)
        route = (match.route or match.view_name) if match is not None else UNMATCHED
        status = response.status_code
        http_requests.labels(route or UNMATCHED, request.method or "", str(status)).observe(seconds)
        logger.info(
            "request",
            method=request.method,
            route=route,
            status=status,
            duration_ms=round(seconds * 1000, 2),
        )
        return response


PROBES = {"/healthz": views.healthz, "/readyz": views.readyz, "/metrics": views.metrics}


class ProbeMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        view = PROBES.get(request.path_info)
        if view is None:
            return self.get_response(request)
        request.resolver_match = resolve(request.path_info)
        return view(request)
