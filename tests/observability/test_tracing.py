"""OpenTelemetry with an in-memory exporter: one trace from the request to the handler.

Tracing is switched on for this module only (the instrumentations are removed
afterwards). The broker hop is the real message the relay would publish, run by
the consume task in this process; the HTTP hop is urllib3 (what the RPC client
uses) to a WSGI server in a thread.
"""

from __future__ import annotations

import json
import threading
import uuid
from decimal import Decimal
from wsgiref.simple_server import WSGIRequestHandler, make_server

import pytest
import urllib3
from django.core.wsgi import get_wsgi_application
from django.db import connections
from opentelemetry import trace
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from rest_framework.test import APIClient

from extraction.events.relay import outgoing
from extraction.models import OutboxEvent
from extraction.observability import tracing
from extraction.tasks import consume
from tests.factories import UserFactory
from tests.factories.orders import OrderFactory, ProductFactory
from tests.observability.scrape import free_port

pytestmark = [pytest.mark.postgres]


@pytest.fixture(scope="module")
def spans():
    exporter = InMemorySpanExporter()
    tracing.configure(
        endpoint="", service_name="seams-test", processor=SimpleSpanProcessor(exporter)
    )
    # Connections opened before psycopg2 was instrumented would trace nothing.
    connections.close_all()
    yield exporter
    tracing.uninstrument()
    exporter.shutdown()  # it records nothing more
    connections.close_all()


@pytest.fixture
def exported(spans):
    spans.clear()
    return spans


def an_order():
    customer = UserFactory()
    return OrderFactory.with_lines(
        (ProductFactory(price=Decimal("5.00")), 1), customer_id=customer.id
    ), customer


def pay(order, customer) -> str:
    client = APIClient()
    client.force_authenticate(customer)
    response = client.post(
        "/api/v1/payments",
        {"order_id": str(order.id), "payment_token": "tok_success"},
        format="json",
        HTTP_IDEMPOTENCY_KEY=str(uuid.uuid4()),
    )
    assert response.status_code == 201, response.content
    return response["X-Correlation-ID"]


def by_name(exporter: InMemorySpanExporter, prefix: str):
    found = [s for s in exporter.get_finished_spans() if s.name.startswith(prefix)]
    assert found, [s.name for s in exporter.get_finished_spans()]
    return found


@pytest.mark.django_db(transaction=True)
def test_request_contract_call_and_in_process_handler_share_one_trace(exported):
    # given
    order, customer = an_order()
    # when
    pay(order, customer)
    # then
    (request,) = by_name(exported, "POST")
    (call,) = by_name(exported, "OrdersService.get_order_for_payment")
    handled = by_name(exported, "handle payments.PaymentCaptured")
    assert call.attributes["seams.transport"] == "direct"
    assert call.attributes["seams.contract"] == "OrdersService"
    trace_id = request.context.trace_id
    assert call.context.trace_id == trace_id
    assert {s.context.trace_id for s in handled} == {trace_id}
    assert by_name(exported, "SELECT")  # psycopg2 statements are spans of the trace too


@pytest.mark.django_db(transaction=True)
def test_the_broker_message_continues_the_publishing_requests_trace(exported, settings):
    # given: broker mode (the relay would publish the outbox row)
    settings.SEAMS_EVENT_DELIVERY = "broker"
    order, customer = an_order()
    correlation_id = pay(order, customer)
    (request,) = by_name(exported, "POST")
    row = OutboxEvent.objects.get(name="payments.PaymentCaptured")
    assert row.headers["correlation_id"] == correlation_id
    assert row.headers["traceparent"].split("-")[1] == format(request.context.trace_id, "032x")
    # when: a worker runs the message the relay builds from the row
    envelope = json.loads(outgoing(row).body)[0][0]
    exported.clear()
    consume.apply(args=[envelope])
    # then: the handler's span is in the request's trace
    (handled,) = by_name(exported, "handle payments.PaymentCaptured")
    assert handled.context.trace_id == request.context.trace_id


class _Quiet(WSGIRequestHandler):
    def log_message(self, *args):  # the test's output stays readable
        pass


def test_an_http_call_carries_the_trace_to_the_server(exported):
    # given: the application behind a WSGI server in a thread (what an RPC call reaches)
    port = free_port()
    server = make_server("127.0.0.1", port, get_wsgi_application(), handler_class=_Quiet)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    tracer = trace.get_tracer("tests")
    try:
        # when: a call made with urllib3 inside a span
        with tracer.start_as_current_span("caller") as caller:
            response = urllib3.PoolManager().request("GET", f"http://127.0.0.1:{port}/healthz")
    finally:
        server.shutdown()
        server.server_close()
    # then: the server's request span is in the caller's trace, under the client span
    assert response.status == 200
    (server_span,) = by_name(exported, "GET healthz")
    (client_span,) = [s for s in exported.get_finished_spans() if s.kind == trace.SpanKind.CLIENT]
    assert server_span.context.trace_id == caller.get_span_context().trace_id
    assert server_span.parent.span_id == client_span.context.span_id
