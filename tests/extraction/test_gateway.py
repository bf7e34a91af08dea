"""The strangler-fig gateway against a real HTTP service on loopback.

The test process plays the monolith without payments (``SEAMS_SERVICES`` and
``SEAMS_SERVICE_URLS`` overridden), the Django test client is the public client,
and a small threaded HTTP server plays the payments service: it echoes what it
received, streams, stalls, or is not there at all.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib import import_module

import pytest
import yaml
from django.urls import URLPattern, get_resolver

from extraction.gateway.routes import owner_of
from extraction.rpc.breakers import reset_breakers
from tests.observability.scrape import free_port

STREAM_GATE = threading.Event()
# "METHOD path" of every request the fake service received, in order of arrival.
RECEIVED: list[str] = []


class FakeService(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args: object) -> None:  # quiet
        pass

    def _answer(self) -> None:
        RECEIVED.append(f"{self.command} {self.path}")
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        if self.path.startswith("/api/v1/payments/slow"):
            time.sleep(3)
        if self.path.startswith("/api/v1/payments/stream"):
            self.send_response(200)
            self.send_header("Content-Type", "text/plain")
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            for part in (b"first;", b"second"):
                self.wfile.write(b"%x\r\n%s\r\n" % (len(part), part))
                self.wfile.flush()
                STREAM_GATE.wait(5)
            self.wfile.write(b"0\r\n\r\n")
            return
        echo = json.dumps(
            {
                "method": self.command,
                "path": self.path,
                "headers": {k.lower(): v for k, v in self.headers.items()},
                "header_names": [k.lower() for k in self.headers],
                "body": body.decode(),
            }
        ).encode()
        self.send_response(int(self.headers.get("X-Echo-Status", "201")))
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(echo)))
        self.send_header("X-Service", "payments")
        self.end_headers()
        self.wfile.write(echo)

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _answer


@pytest.fixture(autouse=True, scope="module")
def monolith_urlconf() -> None:
    # project.urls includes the API of the apps in SEAMS_SERVICES when it is first
    # imported: load it before any test here pretends payments runs elsewhere.
    get_resolver().url_patterns  # noqa: B018


@pytest.fixture(autouse=True)
def fresh_breakers() -> Iterator[None]:
    reset_breakers()
    yield
    reset_breakers()


@pytest.fixture(scope="module")
def payments_service() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), FakeService)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.fixture
def split_without_payments(settings, payments_service) -> str:
    settings.SEAMS_SERVICES = ("users", "orders")
    settings.SEAMS_SERVICE_URLS = {"payments": payments_service}
    return payments_service


def test_method_path_query_headers_body_and_status_are_forwarded(client, split_without_payments):
    # when: a payment is created through the public URL
    response = client.post(
        "/api/v1/payments?expand=refunds&x=1",
        data=json.dumps({"order_id": "o-1", "payment_token": "tok_success"}),
        content_type="application/json",
        HTTP_AUTHORIZATION="Bearer abc.def.ghi",
        HTTP_IDEMPOTENCY_KEY="key-1",
        HTTP_X_CORRELATION_ID="corr-123",
        HTTP_X_FORWARDED_FOR="203.0.113.9",
        HTTP_X_ECHO_STATUS="202",
    )
    # then: the service saw the request as the client sent it
    assert response.status_code == 202
    assert response["X-Service"] == "payments"
    echo = json.loads(b"".join(response.streaming_content))
    assert echo["method"] == "POST"
    assert echo["path"] == "/api/v1/payments?expand=refunds&x=1"
    assert json.loads(echo["body"]) == {"order_id": "o-1", "payment_token": "tok_success"}
    headers = echo["headers"]
    assert headers["authorization"] == "Bearer abc.def.ghi"
    assert headers["idempotency-key"] == "key-1"
    assert headers["x-correlation-id"] == "corr-123"
    assert headers["content-type"] == "application/json"
    assert headers["x-forwarded-for"] == "203.0.113.9, 127.0.0.1"
    assert headers["x-forwarded-host"] == "testserver"
    assert headers["x-forwarded-proto"] == "http"
    assert headers["host"] == split_without_payments.removeprefix("http://")


def test_the_correlation_id_and_trace_context_are_sent_once(client, split_without_payments):
    # given: a client that sends its own correlation id and trace context
    traceparent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"
    # when
    response = client.get(
        "/api/v1/payments",
        HTTP_X_CORRELATION_ID="corr-once",
        HTTP_TRACEPARENT=traceparent,
        HTTP_TRACESTATE="vendor=1",
    )
    # then: each reaches the service as one header (two would join into an invalid value)
    echo = json.loads(b"".join(response.streaming_content))
    for name in ("x-correlation-id", "traceparent", "tracestate"):
        assert echo["header_names"].count(name) == 1, echo["header_names"]
    assert echo["headers"]["x-correlation-id"] == "corr-once"
    # tracing is off here: the client's context passes through as it came
    assert echo["headers"]["traceparent"] == traceparent


@pytest.mark.parametrize("method", ["get", "put", "patch", "delete"])
def test_every_method_is_forwarded(client, split_without_payments, method):
    response = getattr(client, method)("/api/v1/payments/abc", HTTP_X_ECHO_STATUS="200")
    assert response.status_code == 200
    assert json.loads(b"".join(response.streaming_content))["method"] == method.upper()


def test_routes_of_apps_that_run_here_are_not_forwarded(client, split_without_payments, db):
    # the catalog belongs to orders, which runs in this process
    response = client.get("/api/v1/products")
    assert response.status_code == 200
    assert not response.streaming
    # a path that only starts like a payments route is not one
    assert client.get("/api/v1/paymentsx").status_code == 404


def test_the_answer_is_streamed_as_the_service_sends_it(client, split_without_payments):
    STREAM_GATE.clear()
    response = client.get("/api/v1/payments/stream")
    chunks = iter(response.streaming_content)
    # the first part arrives while the service still holds back the second
    assert next(chunks) == b"first;"
    STREAM_GATE.set()
    assert b"".join(chunks) == b"second"


def test_a_stopped_service_answers_503_at_once_in_the_error_shape(client, settings):
    # given: nothing listens where payments should be, and timeouts far longer than
    # a refused connection takes
    settings.SEAMS_SERVICES = ("users", "orders")
    settings.SEAMS_SERVICE_URLS = {"payments": f"http://127.0.0.1:{free_port()}"}
    settings.SEAMS_GATEWAY_CONNECT_TIMEOUT_SECONDS = 10
    settings.SEAMS_GATEWAY_READ_TIMEOUT_SECONDS = 10
    # when
    started = time.monotonic()
    response = client.post("/api/v1/payments", data={}, content_type="application/json")
    # then: answered without waiting out a timeout
    assert time.monotonic() - started < settings.SEAMS_GATEWAY_CONNECT_TIMEOUT_SECONDS
    assert response.status_code == 503
    assert response["Retry-After"] == str(settings.SEAMS_GATEWAY_RETRY_AFTER_SECONDS)
    body = response.json()
    assert body["code"] == "service_unavailable"
    assert body["details"] == {
        "service": "payments",
        "retry_after_seconds": settings.SEAMS_GATEWAY_RETRY_AFTER_SECONDS,
    }
    assert set(body) == {"code", "message", "details"}


def test_a_service_that_does_not_answer_in_time_gives_504(client, split_without_payments, settings):
    # given: a service that answers after 3 s, and a read timeout far shorter
    settings.SEAMS_GATEWAY_READ_TIMEOUT_SECONDS = 0.5
    # when
    response = client.get("/api/v1/payments/slow")
    # then: the timeout's answer, not the service's (which would be a 201)
    assert response.status_code == 504
    assert response.json()["code"] == "gateway_timeout"
    assert response["Retry-After"]


def test_a_stalling_service_trips_the_breaker_and_then_answers_503_at_once(
    client, split_without_payments, settings
):
    # given: a service that stalls, and a breaker that opens after two failures
    settings.SEAMS_GATEWAY_READ_TIMEOUT_SECONDS = 0.3
    settings.SEAMS_RPC_BREAKER_FAIL_MAX = 2
    settings.SEAMS_RPC_BREAKER_RESET_SECONDS = 30
    # when: two requests time out
    first = client.get("/api/v1/payments/slow")
    second = client.get("/api/v1/payments/slow")
    # then: the next ones are answered by the breaker, with its Retry-After, and never
    # reach the service (which records a request before answering it, with a 201 here)
    third = client.post("/api/v1/payments?probe=3", data={}, content_type="application/json")
    assert "POST /api/v1/payments?probe=3" not in RECEIVED
    assert first.status_code == 504
    assert second.status_code in {503, 504}  # the call that trips the breaker
    assert third.status_code == 503
    assert third.json()["code"] == "service_unavailable"
    assert 25 <= int(third["Retry-After"]) <= 30


def test_the_route_map_covers_every_public_route_of_every_app(settings):
    # every URL an app's API declares is owned by that app, and by no other
    for service in settings.ALL_SERVICES:
        patterns = import_module(f"apps.{service}.api.urls").urlpatterns
        for pattern in patterns:
            assert isinstance(pattern, URLPattern)
            path = "/api/v1/" + str(pattern.pattern).replace("<uuid:", "x<").split("<")[0]
            assert owner_of(path.rstrip("/") or path) == service, path


@pytest.mark.django_db
def test_the_schema_still_documents_every_public_route_when_payments_runs_elsewhere(
    client, settings
):
    # given: the monolith's generated schema
    full = yaml.safe_load(client.get("/api/schema/").content)
    # when: payments runs elsewhere
    settings.SEAMS_SERVICES = ("users", "orders")
    settings.SEAMS_SERVICE_URLS = {"payments": f"http://127.0.0.1:{free_port()}"}
    split = yaml.safe_load(client.get("/api/schema/").content)
    as_json = client.get("/api/schema/?format=json").json()
    # then: the same routes, payments' included
    assert set(split["paths"]) == set(full["paths"])
    assert "/api/v1/payments" in split["paths"]
    assert as_json == split
    assert client.get("/api/docs/").status_code == 200
