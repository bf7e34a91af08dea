"""Split mode for real: payments runs as its own service; one payment, followed everywhere.

Processes: the rest of the monolith (users, orders: gunicorn and a worker on the
test database) and payments (gunicorn and its relay on a fresh database of its
own), talking over signed RPC and RabbitMQ, every one exporting OTLP to a
receiver in this test. The correlation id sent with the payment appears in the
log of the monolith's RPC server (the contract call payments made) and of the
worker's handler of the event the payment caused; the request, the contract call
over RPC, the RPC server and the handler are spans of one trace.
"""

from __future__ import annotations

import json
import subprocess
import sys
import uuid
from decimal import Decimal

import httpx
import pytest

from apps.orders.models import Order
from extraction.observability.broker import queue_stats
from tests.e2e.otlp_receiver import Receiver
from tests.extraction.conftest import wait_until
from tests.extraction.identity.test_subsets import ROOT, _admin_sql, _server
from tests.factories import UserFactory
from tests.factories.orders import OrderFactory, ProductFactory
from tests.factories.users import token_pair_for
from tests.observability.scrape import free_port

pytestmark = [pytest.mark.postgres, pytest.mark.rabbitmq, pytest.mark.django_db(transaction=True)]

RPC_KEY = "split-observability-rpc-key"


@pytest.fixture
def payments_database(settings):
    name = f"{settings.DATABASES['default']['NAME']}_payments_obs"
    _admin_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    _admin_sql(f'CREATE DATABASE "{name}"')
    server = _server()
    yield f"postgres://{server['user']}@{server['host']}:{server['port']}/{name}"
    _admin_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def collector():
    receiver = Receiver(free_port())
    yield receiver
    receiver.close()


def wait_for_web(processes, process, base: str) -> None:
    def up() -> bool:
        assert process.poll() is None, processes.log_of(process)
        try:
            return httpx.get(f"{base}/healthz", timeout=1).status_code == 200
        except httpx.TransportError:
            return False

    wait_until(up, timeout=40, what=f"{base} to answer")


def json_lines(text: str) -> list[dict]:
    return [json.loads(line) for line in text.splitlines() if line.startswith("{")]


def test_one_payment_is_one_correlation_id_and_one_trace_across_services(
    rabbitmq, processes, payments_database, collector
):
    monolith_port, payments_port = free_port(), free_port()
    monolith, payments = f"http://127.0.0.1:{monolith_port}", f"http://127.0.0.1:{payments_port}"
    common = {
        "CELERY_BROKER_URL": rabbitmq,
        "SEAMS_RPC_KEYS": RPC_KEY,
        "LOG_FORMAT": "json",
        "OTEL_EXPORTER_OTLP_ENDPOINT": collector.url,
        "OTEL_BSP_SCHEDULE_DELAY": "100",
        "SEAMS_EXTRA_HANDLER_MODULES": "",
    }
    as_monolith = {**common, "SEAMS_SERVICES": "users,orders",
                   "SEAMS_SERVICE_URLS": f"payments={payments}"}  # fmt: skip
    as_payments = {**common, "SEAMS_SERVICES": "payments", "DATABASE_URL": payments_database,
                   "SEAMS_SERVICE_URLS": f"users={monolith},orders={monolith}"}  # fmt: skip
    migrated = subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput"],
        cwd=ROOT, env=processes.env(**as_payments), capture_output=True, text=True,
        timeout=180, check=False,
    )  # fmt: skip
    assert migrated.returncode == 0, migrated.stderr
    # given: both services (the Procfile's web), the monolith's worker, payments' relay
    one = {"WEB_CONCURRENCY": "1"}
    monolith_web = processes.start("web", PORT=str(monolith_port), **one, **as_monolith)
    payments_web = processes.start("web", PORT=str(payments_port), **one, **as_payments)
    worker = processes.start("worker", CELERY_WORKER_CONCURRENCY="2", **as_monolith)
    processes.start("relay", **as_payments)
    wait_for_web(processes, monolith_web, monolith)
    wait_for_web(processes, payments_web, payments)
    wait_until(
        lambda: queue_stats(rabbitmq, services=["orders"])[0].consumers > 0,
        timeout=40,
        what="the monolith's worker consuming the orders queue",
    )
    customer = UserFactory()
    order = OrderFactory.with_lines(
        (ProductFactory(price=Decimal("7.00")), 1), customer_id=customer.id
    )
    correlation_id = f"split-{uuid.uuid4().hex[:12]}"
    # when: the customer pays at the payments service
    paid = httpx.post(
        f"{payments}/api/v1/payments",
        headers={
            "Authorization": f"Bearer {token_pair_for(customer).access_token}",
            "Idempotency-Key": str(uuid.uuid4()),
            "X-Correlation-ID": correlation_id,
        },
        json={"order_id": str(order.id), "payment_token": "tok_success"},
        timeout=30,
    )
    assert paid.status_code == 201, paid.text
    assert paid.headers["X-Correlation-ID"] == correlation_id
    wait_until(
        lambda: Order.objects.get(id=order.id).status == "paid",
        timeout=40,
        what="the monolith's worker applying PaymentCaptured",
    )
    # then: the monolith's RPC server logged the contract call with the id
    served = [
        line
        for line in json_lines(processes.log_of(monolith_web))
        if line.get("correlation_id") == correlation_id
    ]
    assert any("internal/rpc" in str(line.get("route")) for line in served), served
    # and the worker's handler of the event the payment caused did too
    handled = [
        line
        for line in json_lines(processes.log_of(worker))
        if line.get("correlation_id") == correlation_id
    ]
    assert any(line["event"].startswith("applied payments.PaymentCaptured") for line in handled)

    # and one trace holds the request, the call over RPC, the RPC server and the handler
    def trace_complete() -> bool:
        requests = [s for s in collector.spans if s.name == "POST api/v1/payments"]
        if not requests:
            return False
        trace = [s for s in collector.spans if s.trace_id == requests[0].trace_id]
        names = {(s.service, s.name) for s in trace}
        return {
            ("seams-payments", "POST api/v1/payments"),
            ("seams-payments", "OrdersService.get_order_for_payment"),
            ("seams-users-orders", "handle payments.PaymentCaptured"),
        } <= names and any(
            s.service == "seams-users-orders" and "internal/rpc" in s.name for s in trace
        )

    wait_until(trace_complete, timeout=20, what="every span of the payment's trace")
    call = next(
        s
        for s in collector.spans
        if s.service == "seams-payments" and s.name == "OrdersService.get_order_for_payment"
    )
    assert call.attributes["seams.transport"] == "http"
    rpc_server = next(
        s for s in collector.spans
        if s.service == "seams-users-orders" and "internal/rpc" in s.name
        and s.trace_id == call.trace_id
    )  # fmt: skip
    # the server's span descends from the client call (through urllib3's span)
    client_spans = {s.span_id: s for s in collector.spans if s.trace_id == call.trace_id}
    parent = client_spans[rpc_server.parent_span_id]
    assert parent.parent_span_id == call.span_id or parent.span_id == call.span_id
    # where the monolith answered it through its own provider, a span of the same trace
    served_call = next(
        s
        for s in collector.spans
        if s.service == "seams-users-orders" and s.name == "OrdersService.get_order_for_payment"
    )
    assert served_call.trace_id == call.trace_id
    assert served_call.attributes["seams.transport"] == "direct"
