"""Split mode for real: payments runs as its own service; one payment, followed everywhere.

The deployment is ``make split``'s (``deploy/processes/Procfile.split``: the
monolith without payments, which forwards payments' public routes, and payments
with its own database, relay and worker; one RabbitMQ), every process exporting
OTLP to a receiver in this test and logging JSON. The correlation id sent with
the payment to the public URL appears in the log of the monolith's RPC server
(the contract call payments made) and of the monolith worker's handler of the
event the payment caused; the public request, the forwarded one, the contract
call over RPC, the RPC server and the handler are spans of one trace.
"""

from __future__ import annotations

import json
import uuid

import httpx
import pytest

from tests.e2e.checkout_scenario import MUG, PASSWORD, wait_for
from tests.e2e.otlp_receiver import Receiver
from tests.e2e.split_stacks import owner, query, running_stack
from tests.observability.scrape import free_port

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.rabbitmq,
    pytest.mark.redis,
    pytest.mark.timeout(300),
]


@pytest.fixture
def collector():
    receiver = Receiver(free_port())
    yield receiver
    receiver.close()


def json_lines(text: str) -> list[dict]:
    return [json.loads(line) for line in text.splitlines() if line.startswith("{")]


def test_one_payment_is_one_correlation_id_and_one_trace_across_services(collector, tmp_path):
    with running_stack(
        "payments",
        tmp_path,
        LOG_FORMAT="json",
        OTEL_EXPORTER_OTLP_ENDPOINT=collector.url,
        OTEL_BSP_SCHEDULE_DELAY="100",
    ) as stack:
        public = f"{stack.deployment.public_url}/api/v1"
        email = f"traced-{uuid.uuid4().hex[:8]}@example.com"
        with httpx.Client(base_url=public, timeout=30) as client:
            registered = client.post(
                "/auth/register", json={"email": email, "password": PASSWORD, "full_name": "T"}
            )
            assert registered.status_code == 201, registered.text
            token = client.post("/auth/token", json={"email": email, "password": PASSWORD})
            auth = {"Authorization": f"Bearer {token.json()['access']}"}
            placed = client.post(
                "/orders", headers=auth, json={"lines": [{"sku": MUG, "quantity": 1}]}
            )
            assert placed.status_code == 201, placed.text
            order_id = placed.json()["id"]
            correlation_id = f"split-{uuid.uuid4().hex[:12]}"
            # when: the customer pays at the shop's one public URL (forwarded to payments)
            paid = client.post(
                "/payments",
                headers={
                    **auth,
                    "Idempotency-Key": str(uuid.uuid4()),
                    "X-Correlation-ID": correlation_id,
                },
                json={"order_id": order_id, "payment_token": "tok_success"},
            )
        assert paid.status_code == 201, paid.text
        assert paid.headers["X-Correlation-ID"] == correlation_id
        orders = owner(stack, "orders")
        wait_for(
            lambda: (
                query(orders, f"SELECT status FROM orders_order WHERE id = '{order_id}'")
                == [("paid",)]
            ),
            "the monolith's worker applying PaymentCaptured",
        )
        monolith_log = stack.log("monolith")
        # then: the monolith's RPC server logged the contract call with the id
        served = [
            line
            for line in json_lines(monolith_log)
            if line.get("correlation_id") == correlation_id
        ]
        assert any("internal/rpc" in str(line.get("route")) for line in served), served

        # and the worker's handler of the event the payment caused did too (its line is
        # written once the handler's transaction committed: just after the order is paid)
        def handled() -> bool:
            return any(
                line["event"].startswith("applied payments.PaymentCaptured")
                for line in json_lines(stack.log("monolith_worker"))
                if line.get("correlation_id") == correlation_id
            )

        wait_for(handled, "the worker's log line of the applied PaymentCaptured", timeout=10)

        # and one trace holds the public request, the forwarded one, the call over RPC, the
        # RPC server and the handler
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

        wait_for(trace_complete, "every span of the payment's trace", timeout=20)
        spans = {s.span_id: s for s in collector.spans}
        forwarded = next(s for s in collector.spans if s.name == "POST api/v1/payments")
        # the payments service's request span descends from the monolith's forwarding call
        assert spans[forwarded.parent_span_id].service == "seams-users-orders"
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
        assert served_call.attributes["seams.transport"] == "served"
