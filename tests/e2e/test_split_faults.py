"""Faults of the split system, payments extracted: a late consumer, a stopped service.

The deployment is ``make split``'s (Procfile.split, fresh databases, RabbitMQ).
First the payments service has never run (no process of it ever declared its
queue) while events for it are published: it gets them all when it starts.
Then the whole payments service (web, relay, worker) is killed mid-run: the
public payment routes, and the order route that needs payments (cancelling a
paid order refunds it), answer 503 with Retry-After at once, and nothing
committed is lost; started again, the flows recover and the events published
meanwhile are delivered.
"""

from __future__ import annotations

import signal
import uuid

import httpx
import pytest

from contracts import demo
from tests.e2e.checkout_scenario import MUG, PASSWORD, wait_for
from tests.e2e.split_stacks import owner, query, running_stack, settled_events

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.rabbitmq,
    pytest.mark.redis,
    pytest.mark.timeout(420),
]

PAYMENTS_SERVICE = ("service", "service_relay", "service_worker")
REVOKED_IN_PAYMENTS = "project.token_revocation.refuse_tokens_of_deactivated_user.payments"
# The read timeouts of the deployment's gateway and contract calls: "at once" is an
# answer that did not wait one out.
READ_TIMEOUT_SECONDS = 10


def bearer(client: httpx.Client, email: str, password: str) -> dict[str, str]:
    token = client.post("/auth/token", json={"email": email, "password": password})
    assert token.status_code == 200, token.text
    return {"Authorization": f"Bearer {token.json()['access']}"}


def customer(client: httpx.Client) -> tuple[dict[str, str], str]:
    email = f"c-{uuid.uuid4().hex[:10]}@faults.example"
    registered = client.post(
        "/auth/register", json={"email": email, "password": PASSWORD, "full_name": "C"}
    )
    assert registered.status_code == 201, registered.text
    return bearer(client, email, PASSWORD), registered.json()["id"]


def place(client: httpx.Client, auth: dict[str, str]) -> str:
    placed = client.post("/orders", headers=auth, json={"lines": [{"sku": MUG, "quantity": 1}]})
    assert placed.status_code == 201, placed.text
    return placed.json()["id"]


def pay(client: httpx.Client, auth: dict[str, str], order_id: str, key: str) -> httpx.Response:
    return client.post(
        "/payments",
        headers={**auth, "Idempotency-Key": key},
        json={"order_id": order_id, "payment_token": "tok_success"},
    )


def status(client: httpx.Client, auth: dict[str, str], order_id: str) -> str:
    return client.get(f"/orders/{order_id}", headers=auth).json()["status"]


def test_a_late_consumer_and_a_stopped_payments_service_lose_nothing(tmp_path):
    timeouts = {
        "SEAMS_GATEWAY_READ_TIMEOUT_SECONDS": str(READ_TIMEOUT_SECONDS),
        "SEAMS_RPC_READ_TIMEOUT_SECONDS": str(READ_TIMEOUT_SECONDS),
        "SEAMS_RPC_METHOD_READ_TIMEOUTS": ",".join(
            f"PaymentsService.{method}={READ_TIMEOUT_SECONDS}"
            for method in ("refund_order_payment", "refund_order_payment_v2")
        ),
    }
    with running_stack("payments", tmp_path, start=False, **timeouts) as stack:
        # given: the monolith of the split system; the payments service has never run
        stack.start(["monolith", "monolith_relay", "monolith_worker"])
        users_db = owner(stack, "users")
        stack.wait_healthy(nodes=[users_db])
        payments_db = owner(stack, "payments")

        def revoked_in_payments() -> int:
            sql = "SELECT count(*) FROM extraction_inboxentry WHERE handler = '{}'"
            return query(payments_db, sql.format(REVOKED_IN_PAYMENTS))[0][0]

        def published_deactivations(user_ids: list[str]) -> int:
            sql = (
                "SELECT count(*) FROM extraction_outboxevent WHERE name = 'users.UserDeactivated'"
                " AND status = 'published' AND aggregate_id IN ({})"
            )
            return query(users_db, sql.format(", ".join(f"'{i}'" for i in user_ids)))[0][0]

        client = httpx.Client(base_url=f"{stack.deployment.public_url}/api/v1", timeout=30)
        staff = bearer(client, demo.ADMIN_EMAIL, demo.ADMIN_PASSWORD)
        buyer, _ = customer(client)
        # events for payments are published before its consumer ever started
        leavers = [customer(client)[1] for _ in range(3)]
        for leaver in leavers:
            deactivated = client.post(f"/users/{leaver}/deactivate", headers=staff)
            assert deactivated.status_code == 200, deactivated.text
        wait_for(lambda: published_deactivations(leavers) == 3, "the relay to publish them")
        assert revoked_in_payments() == 0
        # when: the payments service starts
        stack.start(PAYMENTS_SERVICE)
        stack.wait_healthy()
        # then: its worker gets every one of them
        wait_for(lambda: revoked_in_payments() == 3, "the late consumer to catch up")

        # given: a paid order and a pending one
        paid = place(client, buyer)
        assert pay(client, buyer, paid, str(uuid.uuid4())).status_code == 201
        wait_for(lambda: status(client, buyer, paid) == "paid", "the paid order")
        pending = place(client, buyer)
        # when: the whole payments service dies mid-run
        for name in PAYMENTS_SERVICE:
            stack.stop(name, sig=signal.SIGKILL)
        retry_key = str(uuid.uuid4())
        # then: payment routes and the refunding order route answer 503 at once, every time
        for attempt in range(6):
            for response in (
                pay(client, buyer, pending, retry_key),
                client.get("/payments", headers=buyer),
                client.post(f"/orders/{paid}/cancel", headers=buyer, json={"reason": "r"}),
            ):
                assert response.status_code == 503, (attempt, response.text)
                assert int(response.headers["Retry-After"]) >= 1
                assert response.json()["code"] == "service_unavailable"
                assert set(response.json()) == {"code", "message", "details"}
                assert response.elapsed.total_seconds() < READ_TIMEOUT_SECONDS, response.request.url
        # and nothing committed is lost: the cancel is recorded, its refund waits
        assert status(client, buyer, paid) == "refund_requested"
        assert status(client, buyer, pending) == "pending_payment"
        # and what does not need payments keeps working
        meanwhile = place(client, buyer)
        _, leaver = customer(client)
        assert client.post(f"/users/{leaver}/deactivate", headers=staff).status_code == 200

        # when: the payments service starts again
        stack.start(PAYMENTS_SERVICE)
        stack.wait_healthy()
        # then: the flows recover (the same Idempotency-Key: one payment, never two)
        wait_for(
            lambda: pay(client, buyer, pending, retry_key).status_code == 201,
            "paying through the restarted service",
        )
        wait_for(lambda: status(client, buyer, pending) == "paid", "the pending order paid")
        wait_for(
            lambda: (
                client.post(
                    f"/orders/{paid}/cancel", headers=buyer, json={"reason": "r"}
                ).status_code
                == 202
            ),
            "the retried refund (the caller's breaker closes again)",
        )
        wait_for(lambda: status(client, buyer, paid) == "refunded", "the refund")
        assert pay(client, buyer, meanwhile, str(uuid.uuid4())).status_code == 201
        # and the event published while it was down was delivered
        wait_for(lambda: revoked_in_payments() == 4, "the event published meanwhile")
        settled = settled_events(stack)
        assert settled["delivery failures"] == 0
        payments_of_pending = query(
            payments_db,
            f"SELECT count(*) FROM payments_payment WHERE order_id = '{pending}'",
        )
        assert payments_of_pending == [(1,)]
        client.close()
