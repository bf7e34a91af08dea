"""The checkout scenario of the parity test, and how its observable results are recorded.

One scenario, driven through the public base URL only, as a customer's client and
a member of staff would: register, sign in, list products, order, pay (declined,
then captured, then the same request again with the same Idempotency-Key),
cancel a pending order, cancel a paid one and get refunded, fulfil as staff,
deactivate a customer who has a pending order. What it records — every status
code and body, with ids, timestamps, tokens and gateway references normalized —
must be the same whichever app runs as its own service.
"""

from __future__ import annotations

import re
import time
import uuid
from collections.abc import Callable
from typing import Any

import httpx

from contracts import demo

PASSWORD = "a long and unusual passphrase 42"
MUG = "SEAM-MUG"

_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
_TIMESTAMP = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})?")
_JWT = re.compile(r"eyJ[\w-]+\.[\w-]+\.[\w-]+")
_GATEWAY_REF = re.compile(r"sbx_[a-z]+_[0-9a-f]+")


class Normalizer:
    """Replaces run-specific values by stable placeholders (ids by first appearance)."""

    def __init__(self) -> None:
        self.ids: dict[str, str] = {}

    def text(self, value: str) -> str:
        value = _JWT.sub("<jwt>", value)
        value = _TIMESTAMP.sub("<ts>", value)
        value = _GATEWAY_REF.sub("<gateway-ref>", value)
        return _UUID.sub(lambda m: self.ids.setdefault(m[0], f"<id{len(self.ids)}>"), value)

    def __call__(self, value: Any) -> Any:
        if isinstance(value, dict):
            return {self.text(str(k)): self(v) for k, v in value.items()}
        if isinstance(value, list):
            return [self(v) for v in value]
        if isinstance(value, str):
            return self.text(value)
        return value


class Recorder:
    def __init__(self) -> None:
        self.normalize = Normalizer()
        self.steps: list[tuple[str, int, Any]] = []

    def record(self, step: str, response: httpx.Response) -> dict[str, Any]:
        try:
            body: Any = response.json()
        except ValueError:
            body = response.text
        self.steps.append((step, response.status_code, self.normalize(body)))
        return body if isinstance(body, dict) else {}


def wait_for(check: Callable[[], bool], what: str, timeout: float = 40) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what}")
        time.sleep(0.2)


def sign_up(client: httpx.Client, rec: Recorder, who: str) -> tuple[dict[str, str], str]:
    email = f"{who}@parity.example"
    registered = rec.record(
        f"{who}: register",
        client.post(
            "/auth/register", json={"email": email, "password": PASSWORD, "full_name": who.title()}
        ),
    )
    token = rec.record(
        f"{who}: sign in",
        client.post("/auth/token", json={"email": email, "password": PASSWORD}),
    )
    return {"Authorization": f"Bearer {token['access']}"}, registered["id"]


def run_checkout(base_url: str) -> Recorder:
    rec = Recorder()
    with httpx.Client(base_url=f"{base_url}/api/v1", timeout=30) as client:

        def order_status(auth: dict[str, str], order_id: str) -> str:
            return client.get(f"/orders/{order_id}", headers=auth).json().get("status", "")

        def place(auth: dict[str, str], step: str, quantity: int = 1) -> str:
            placed = client.post(
                "/orders", headers=auth, json={"lines": [{"sku": MUG, "quantity": quantity}]}
            )
            return rec.record(step, placed)["id"]

        def pay(auth: dict[str, str], step: str, order_id: str, token: str, key: str) -> None:
            rec.record(
                step,
                client.post(
                    "/payments",
                    headers={**auth, "Idempotency-Key": key},
                    json={"order_id": order_id, "payment_token": token},
                ),
            )

        # sign-up, refusals, sign-in, catalog
        ada, _ = sign_up(client, rec, "buyer")
        rec.record(
            "register the same email again",
            client.post(
                "/auth/register",
                json={"email": "buyer@parity.example", "password": PASSWORD, "full_name": "B"},
            ),
        )
        rec.record(
            "sign in with a wrong password",
            client.post("/auth/token", json={"email": "buyer@parity.example", "password": "nope"}),
        )
        rec.record("me", client.get("/users/me", headers=ada))
        rec.record("products", client.get("/products"))
        rec.record("orders without a token", client.get("/orders"))

        # order A: declined, then captured, then the same request again
        a = place(ada, "order A")
        pay(ada, "pay A declined", a, "tok_decline", str(uuid.uuid4()))
        wait_for(
            lambda: client.get(f"/orders/{a}", headers=ada).json()["last_payment_failure"],
            "the decline recorded on order A",
        )
        rec.record("order A after the decline", client.get(f"/orders/{a}", headers=ada))
        key = str(uuid.uuid4())
        pay(ada, "pay A", a, "tok_success", key)
        pay(ada, "pay A again, same Idempotency-Key", a, "tok_success", key)
        pay(ada, "same Idempotency-Key, another card", a, "tok_decline", key)
        wait_for(lambda: order_status(ada, a) == "paid", "order A paid")
        rec.record("order A paid", client.get(f"/orders/{a}", headers=ada))
        pay(ada, "pay A twice", a, "tok_success", str(uuid.uuid4()))

        # order B: cancelled while pending
        b = place(ada, "order B")
        rec.record(
            "cancel B", client.post(f"/orders/{b}/cancel", headers=ada, json={"reason": "no"})
        )
        pay(ada, "pay cancelled B", b, "tok_success", str(uuid.uuid4()))

        # order C: paid, then cancelled and refunded
        c = place(ada, "order C", quantity=2)
        pay(ada, "pay C", c, "tok_success", str(uuid.uuid4()))
        wait_for(lambda: order_status(ada, c) == "paid", "order C paid")
        rec.record(
            "cancel paid C",
            client.post(f"/orders/{c}/cancel", headers=ada, json={"reason": "changed my mind"}),
        )
        wait_for(lambda: order_status(ada, c) == "refunded", "order C refunded")
        rec.record("order C refunded", client.get(f"/orders/{c}", headers=ada))

        # order D: fulfilled by staff (a customer may not)
        staff_token = client.post(
            "/auth/token", json={"email": demo.ADMIN_EMAIL, "password": demo.ADMIN_PASSWORD}
        ).json()
        staff = {"Authorization": f"Bearer {staff_token['access']}"}
        d = place(ada, "order D")
        pay(ada, "pay D", d, "tok_success", str(uuid.uuid4()))
        wait_for(lambda: order_status(ada, d) == "paid", "order D paid")
        rec.record("customer fulfils D", client.post(f"/orders/{d}/fulfil", headers=ada))
        rec.record("staff fulfils D", client.post(f"/orders/{d}/fulfil", headers=staff))
        rec.record("order D", client.get(f"/orders/{d}", headers=ada))

        # a customer with a pending order is deactivated by staff
        grace, grace_id = sign_up(client, rec, "leaver")
        e = place(grace, "leaver's order E")
        rec.record(
            "staff deactivates the leaver",
            client.post(f"/users/{grace_id}/deactivate", headers=staff),
        )
        wait_for(lambda: order_status(staff, e) == "cancelled", "order E cancelled")
        rec.record("order E, seen by staff", client.get(f"/orders/{e}", headers=staff))
        wait_for(
            lambda: client.get("/orders", headers=grace).status_code == 401,
            "the leaver's token refused",
        )
        rec.record("the leaver's token", client.get("/orders", headers=grace))
        rec.record(
            "the leaver signs in",
            client.post(
                "/auth/token", json={"email": "leaver@parity.example", "password": PASSWORD}
            ),
        )

        # what the customer and staff see at the end
        rec.record("buyer's orders", client.get("/orders", headers=ada))
        rec.record("buyer's payments", client.get("/payments", headers=ada))
        rec.record("products at the end", client.get("/products"))
    return rec
