"""Broker mode for real: gunicorn, relay and worker, one checkout, then what operators see.

The three processes share one ``PROMETHEUS_MULTIPROC_DIR`` (as the processes of
one host would), so a scrape of the web process sums the worker's counters too.
The correlation id sent with the payment request is in the worker's log line of
the handler that applied the event the payment caused.
"""

from __future__ import annotations

import json
import uuid
from decimal import Decimal

import httpx
import pytest

from apps.orders.models import Order, Product
from tests.extraction.conftest import wait_until
from tests.factories import UserFactory
from tests.observability.scrape import free_port, value

pytestmark = [pytest.mark.postgres, pytest.mark.rabbitmq, pytest.mark.django_db(transaction=True)]

TOKEN = "metrics-token-for-tests"
PASSWORD = "a long and unusual passphrase 42"


@pytest.fixture
def stack(rabbitmq, processes, tmp_path):
    metrics_dir = tmp_path / "metrics"
    port = free_port()
    common = {
        "PROMETHEUS_MULTIPROC_DIR": str(metrics_dir),
        "LOG_FORMAT": "json",
        "SEAMS_METRICS_TOKEN": TOKEN,
    }
    web = processes.start(
        "web", PORT=str(port), WEB_CONCURRENCY="2", CELERY_BROKER_URL=rabbitmq, **common
    )
    base = f"http://127.0.0.1:{port}"

    def web_up() -> bool:
        assert web.poll() is None, processes.log_of(web)
        try:
            return httpx.get(f"{base}/healthz", timeout=1).status_code == 200
        except httpx.TransportError:
            return False

    wait_until(web_up, timeout=30, what="gunicorn answering /healthz")
    worker_port = free_port()
    processes.worker(rabbitmq, SEAMS_METRICS_PORT=str(worker_port), **common)
    processes.relay(rabbitmq, **common)
    return base, f"http://127.0.0.1:{worker_port}"


def test_a_checkout_shows_in_metrics_and_its_correlation_id_in_the_handlers_logs(stack, processes):
    # given: a customer and a product
    customer = UserFactory(password=PASSWORD)
    Product.objects.create(
        sku="OBS-1", name="Observed mug", price=Decimal("9.50"), currency="EUR", stock=5
    )
    correlation_id = f"checkout-{uuid.uuid4().hex[:12]}"
    web, worker = stack
    with httpx.Client(base_url=web, timeout=30) as client:
        token = client.post(
            "/api/v1/auth/token", json={"email": customer.email, "password": PASSWORD}
        )
        assert token.status_code == 200, token.text
        auth = {"Authorization": f"Bearer {token.json()['access']}"}
        placed = client.post(
            "/api/v1/orders", headers=auth, json={"lines": [{"sku": "OBS-1", "quantity": 1}]}
        )
        assert placed.status_code == 201, placed.text
        # when: the payment request carries our correlation id
        paid = client.post(
            "/api/v1/payments",
            headers={
                **auth,
                "Idempotency-Key": str(uuid.uuid4()),
                "X-Correlation-ID": correlation_id,
            },
            json={"order_id": placed.json()["id"], "payment_token": "tok_success"},
        )
        assert paid.status_code == 201, paid.text
        assert paid.headers["X-Correlation-ID"] == correlation_id
        order_id = placed.json()["id"]
        wait_until(
            lambda: Order.objects.get(id=order_id).status == "paid",
            timeout=30,
            what="the worker applying PaymentCaptured",
        )
        assert client.get("/metrics").status_code == 401
        exposition = client.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"})
    assert exposition.status_code == 200
    text = exposition.text

    # then: the worker's handler log line carries the payment request's id
    worker_log = processes.log_of(next(p for p, log in processes.running if "worker" in log.name))
    lines = [json.loads(line) for line in worker_log.splitlines() if line.startswith("{")]
    handled = [
        line
        for line in lines
        if line.get("correlation_id") == correlation_id and "PaymentCaptured" in line["event"]
    ]
    assert handled, worker_log[-3000:]
    assert any(line["event"].startswith("applied") for line in handled)

    # and every series is there with non-zero values
    assert (
        value(
            text, "seams_http_request_duration_seconds_count", route="api/v1/payments", status="201"
        )
        == 1
    )
    assert (
        value(
            text,
            "seams_contract_call_duration_seconds_count",
            contract="OrdersService",
            transport="direct",
            outcome="ok",
        )
        >= 1
    )
    assert value(text, "seams_consumer_deliveries_total", service="orders", outcome="applied") >= 1
    assert (
        value(text, "seams_celery_tasks_total", task="seams.events.consume", outcome="succeeded")
        >= 1
    )
    assert value(text, "seams_outbox_events", status="published") >= 2
    assert value(text, "seams_outbox_oldest_pending_age_seconds") == 0
    assert value(text, "seams_broker_up") == 1
    assert value(text, "seams_event_queue_consumers", service="orders") >= 1
    assert value(text, "seams_event_queue_messages", service="orders") == 0
    # and the worker serves its own series on a port of its own
    from_worker = httpx.get(f"{worker}/metrics", timeout=10).text
    assert (
        value(
            from_worker,
            "seams_celery_tasks_total",
            task="seams.events.consume",
            outcome="succeeded",
        )
        >= 1
    )
