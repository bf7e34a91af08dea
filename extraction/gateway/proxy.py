"""Forward one request to a service and stream its answer back (urllib3, pooled).

Preserved: method, path, query string, body (streamed up), status, headers and
body (streamed down, content encoding untouched). Hop-by-hop headers are
dropped; ``Host`` becomes the service's, the original one travels in
``X-Forwarded-Host`` with ``X-Forwarded-For`` (the client's address appended)
and ``X-Forwarded-Proto``; the correlation id is set. Nothing is retried: a
public POST must not run twice. A service that cannot be reached answers 503,
one that does not answer in time 504, both in the API's error shape with
``Retry-After``: never a 500. Failures to reach a service count in the same
circuit breaker as the contract calls to it (``extraction.rpc.breakers``): once
it is open, its routes answer 503 at once instead of waiting out a timeout each.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pybreaker
import urllib3
from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse, StreamingHttpResponse
from urllib3.exceptions import HTTPError, ProtocolError, ReadTimeoutError

from extraction import correlation
from extraction.gateway.routes import Upstream
from extraction.observability.tracing import inject_headers
from extraction.rpc import breakers

# RFC 9110 §7.6.1 (and the ones every proxy drops): they describe one connection.
HOP_BY_HOP = frozenset(
    {
        "connection",
        "keep-alive",
        "proxy-authenticate",
        "proxy-authorization",
        "te",
        "trailer",
        "transfer-encoding",
        "upgrade",
        "host",
    }
)
# Set by the proxy itself, never copied: a copy under another spelling
# ("X-Correlation-Id") would reach the service as a second value of the header.
PROPAGATED = frozenset({correlation.HEADER.lower(), "traceparent", "tracestate"})
CHUNK = 64 * 1024

_pools: dict[str, urllib3.PoolManager] = {}
_lock = threading.Lock()


def pool() -> urllib3.PoolManager:
    # One pool manager per process; urllib3 keeps a keep-alive pool per service.
    manager = _pools.get("default")
    if manager is None:
        with _lock:
            manager = _pools.setdefault(
                "default",
                urllib3.PoolManager(maxsize=settings.SEAMS_GATEWAY_POOL_SIZE, block=False),
            )
    return manager


def outgoing_headers(request: HttpRequest) -> dict[str, str]:
    headers = {
        name: str(value)
        for name, value in request.headers.items()
        if name.lower() not in HOP_BY_HOP and name.lower() not in PROPAGATED and value != ""
    }
    client = request.META.get("REMOTE_ADDR", "")
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    headers["X-Forwarded-For"] = f"{forwarded}, {client}" if forwarded else client
    headers["X-Forwarded-Host"] = request.get_host()
    headers["X-Forwarded-Proto"] = request.scheme or "http"
    correlation_id = correlation.get() or correlation.clean(request.META.get(correlation.META_KEY))
    headers[correlation.HEADER] = correlation_id or correlation.new_id()
    # The trace context: this request's span when tracing is on (urllib3's
    # instrumentation then puts its own client span in), else the client's, as sent.
    inject_headers(headers)
    for name in ("traceparent", "tracestate"):
        if name not in headers and request.headers.get(name):
            headers[name] = str(request.headers[name])
    return headers


def unavailable(
    upstream: Upstream, *, status: int, code: str, message: str, retry_after: int | None = None
) -> JsonResponse:
    retry_after = retry_after or settings.SEAMS_GATEWAY_RETRY_AFTER_SECONDS
    response = JsonResponse(
        {
            "code": code,
            "message": message,
            "details": {"service": upstream.service, "retry_after_seconds": retry_after},
        },
        status=status,
    )
    response["Retry-After"] = str(retry_after)
    return response


def forward(request: HttpRequest, upstream: Upstream) -> HttpResponse:
    url = f"{upstream.base_url}{request.path}"
    if query := request.META.get("QUERY_STRING", ""):
        url = f"{url}?{query}"
    has_body = int(request.META.get("CONTENT_LENGTH") or 0) > 0 or (
        "chunked" in request.META.get("HTTP_TRANSFER_ENCODING", "").lower()
    )

    def send() -> urllib3.BaseHTTPResponse:
        return pool().request(
            request.method or "GET",
            url,
            body=request if has_body else None,
            headers=outgoing_headers(request),
            timeout=urllib3.Timeout(
                connect=settings.SEAMS_GATEWAY_CONNECT_TIMEOUT_SECONDS,
                read=settings.SEAMS_GATEWAY_READ_TIMEOUT_SECONDS,
            ),
            retries=False,
            redirect=False,
            preload_content=False,
            decode_content=False,
        )

    try:
        answer = breakers.breaker_for(upstream.service).call(send)
    except pybreaker.CircuitBreakerError:
        return unavailable(
            upstream,
            status=503,
            code="service_unavailable",
            message=f"The {upstream.service} service is unavailable; retry later.",
            retry_after=breakers.retry_after_seconds(upstream.service),
        )
    except ReadTimeoutError:
        return unavailable(
            upstream,
            status=504,
            code="gateway_timeout",
            message=f"The {upstream.service} service did not answer in time; retry later.",
        )
    except (HTTPError, OSError):
        return unavailable(
            upstream,
            status=503,
            code="service_unavailable",
            message=f"The {upstream.service} service is unavailable; retry later.",
        )
    response = StreamingHttpResponse(_body(answer), status=answer.status)
    for name, value in answer.headers.items():
        if name.lower() not in HOP_BY_HOP:
            response[name] = value
    return response


def _body(answer: urllib3.BaseHTTPResponse) -> Iterator[bytes]:
    try:
        yield from answer.stream(CHUNK, decode_content=False)
    except (ProtocolError, ReadTimeoutError):
        # The service died mid-body: the status line is gone already; end the
        # body short (the client sees a truncated response, not a fake success).
        return
    finally:
        answer.release_conn()
