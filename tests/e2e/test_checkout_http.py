"""The checkout flow of the monolith, over real HTTP, as a customer's client sees it.

register → token → products → place order → pay → paid; a declined card leaves
the order pending_payment with the failure visible; cancel releases the stock.
"""

from __future__ import annotations

import uuid
from decimal import Decimal

import httpx
import pytest

from apps.orders.models import Product

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def shop(live_server):
    Product.objects.create(
        sku="MUG-1", name="Seams mug", price=Decimal("12.50"), currency="EUR", stock=10, active=True
    )
    with httpx.Client(base_url=f"{live_server.url}/api/v1", timeout=30) as client:
        yield client


def sign_up(client: httpx.Client) -> dict[str, str]:
    email = f"buyer-{uuid.uuid4().hex[:8]}@example.com"
    password = "a long and unusual passphrase 42"
    registered = client.post(
        "/auth/register", json={"email": email, "password": password, "full_name": "Buyer"}
    )
    assert registered.status_code == 201, registered.text
    token = client.post("/auth/token", json={"email": email, "password": password})
    assert token.status_code == 200, token.text
    return {"Authorization": f"Bearer {token.json()['access']}"}


def stock_of(client: httpx.Client, auth: dict[str, str], sku: str) -> int:
    products = client.get("/products", params={"sku": sku}, headers=auth).json()["results"]
    return products[0]["stock"]


def place_order(client: httpx.Client, auth: dict[str, str], quantity: int) -> dict:
    placed = client.post(
        "/orders", headers=auth, json={"lines": [{"sku": "MUG-1", "quantity": quantity}]}
    )
    assert placed.status_code == 201, placed.text
    return placed.json()


def pay(client: httpx.Client, auth: dict[str, str], order_id: str, token: str) -> httpx.Response:
    return client.post(
        "/payments",
        headers={**auth, "Idempotency-Key": str(uuid.uuid4())},
        json={"order_id": order_id, "payment_token": token},
    )


def test_checkout_with_a_good_card_pays_the_order(shop):
    # given
    auth = sign_up(shop)
    assert stock_of(shop, auth, "MUG-1") == 10
    order = place_order(shop, auth, quantity=2)
    assert (order["status"], order["total"]) == ("pending_payment", "25.00")
    assert stock_of(shop, auth, "MUG-1") == 8
    # when
    paid = pay(shop, auth, order["id"], "tok_success")
    # then
    assert paid.status_code == 201, paid.text
    assert paid.json()["status"] == "captured"
    assert paid.json()["amount"] == "25.00"
    after = shop.get(f"/orders/{order['id']}", headers=auth).json()
    assert after["status"] == "paid"
    assert after["payment_id"] == paid.json()["id"]


def test_a_declined_card_leaves_the_order_pending_with_the_failure_visible(shop):
    auth = sign_up(shop)
    order = place_order(shop, auth, quantity=1)
    # when
    declined = pay(shop, auth, order["id"], "tok_decline")
    # then
    assert declined.status_code == 402, declined.text
    assert declined.json()["code"] == "payments.card_declined"
    after = shop.get(f"/orders/{order['id']}", headers=auth).json()
    assert after["status"] == "pending_payment"
    assert after["last_payment_failure"]["code"] == "payments.card_declined"


def test_cancelling_a_pending_order_releases_its_stock(shop):
    auth = sign_up(shop)
    order = place_order(shop, auth, quantity=3)
    assert stock_of(shop, auth, "MUG-1") == 7
    # when
    cancelled = shop.post(f"/orders/{order['id']}/cancel", headers=auth, json={})
    # then
    assert cancelled.status_code == 200, cancelled.text
    assert cancelled.json()["status"] == "cancelled"
    assert stock_of(shop, auth, "MUG-1") == 10


def test_another_customer_can_neither_see_nor_pay_nor_cancel_the_order(shop):
    owner, stranger = sign_up(shop), sign_up(shop)
    order = place_order(shop, owner, quantity=1)
    assert shop.get(f"/orders/{order['id']}", headers=stranger).status_code == 404
    assert shop.post(f"/orders/{order['id']}/cancel", headers=stranger, json={}).status_code == 404
    assert pay(shop, stranger, order["id"], "tok_success").status_code == 404
    assert shop.get(f"/orders/{order['id']}", headers=owner).json()["status"] == "pending_payment"
