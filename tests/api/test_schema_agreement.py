"""The OpenAPI schema and the server agree on what is valid, so a generated client works.

Each case was found by probing the server against its committed schema: an input
the schema refuses that the server took (a number for a string, a repeated or
empty query parameter), or one the schema allows that the server refused (a NUL,
a weak password, an Idempotency-Key with a space, numbers past the server's range).
"""

from __future__ import annotations

import re
import uuid
from pathlib import Path

import pytest
import yaml
from rest_framework.test import APIClient

from tests.factories import OrderFactory, UserFactory
from tests.factories.orders import ProductFactory

pytestmark = pytest.mark.django_db

SCHEMA = yaml.safe_load(
    (Path(__file__).resolve().parents[2] / "schema" / "openapi.yaml").read_text()
)


def component(name: str) -> dict:
    return SCHEMA["components"]["schemas"][name]


def operation(path: str, method: str) -> dict:
    return SCHEMA["paths"][path][method]


@pytest.fixture
def customer_api():
    client = APIClient()
    client.force_authenticate(UserFactory())
    return client


@pytest.fixture
def staff_api():
    client = APIClient()
    client.force_authenticate(UserFactory(is_staff=True, is_superuser=True))
    return client


def assert_invalid(response, field: str) -> None:
    assert response.status_code == 400, response.content
    body = response.json()
    assert body["code"] == "invalid"
    assert field in body["details"]


# --- JSON types: what the schema says, not what DRF can convert ---------------------


@pytest.mark.parametrize(
    ("url", "body", "field"),
    [
        ("/api/v1/orders", {"lines": [{"sku": 12345, "quantity": 1}]}, "lines"),
        ("/api/v1/orders", {"lines": [{"sku": "MUG", "quantity": "1"}]}, "lines"),
        ("/api/v1/orders", {"lines": [{"sku": "MUG", "quantity": True}]}, "lines"),
        ("/api/v1/orders", {"lines": {"sku": "MUG", "quantity": 1}}, "lines"),
        ("/api/v1/payments", {"order_id": 1, "payment_token": "tok_success"}, "order_id"),
        ("/api/v1/payments", {"order_id": str(uuid.uuid4()), "payment_token": 7}, "payment_token"),
    ],
)
def test_a_value_of_another_json_type_is_refused(customer_api, url, body, field):
    response = customer_api.post(url, body, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    assert_invalid(response, field)


def test_a_number_for_the_full_name_is_refused(customer_api):
    assert_invalid(
        customer_api.patch("/api/v1/users/me", {"full_name": 42}, format="json"), "full_name"
    )


def test_strings_for_stock_and_active_are_refused(staff_api):
    body = {"sku": "NEW-1", "name": "New", "price": "1.00", "stock": "5", "active": "yes"}
    response = staff_api.post("/api/v1/products", body, format="json")
    assert_invalid(response, "stock")
    assert "active" in response.json()["details"]


# --- Query strings: once each, never empty, booleans spelled as the schema does ----


@pytest.mark.parametrize(
    "query",
    ["active=true&active=false", "sku=", "in_stock=yes", "in_stock=1", "currency=EUR&currency=USD"],
)
def test_query_parameters_the_schema_forbids_are_refused(staff_api, query):
    assert staff_api.get(f"/api/v1/products?{query}").status_code == 400


def test_a_repeatable_filter_may_repeat(customer_api):
    response = customer_api.get("/api/v1/orders?status=paid&status=cancelled")
    assert response.status_code == 200


def test_price_bounds_beyond_a_price_are_refused_and_the_schema_says_so(customer_api):
    assert customer_api.get("/api/v1/products?price_max=1e60").status_code == 400
    parameters = {p["name"]: p for p in operation("/api/v1/products", "get")["parameters"]}
    assert parameters["price_max"]["schema"]["maximum"] == 9999999999.99


# --- What the schema allows, the server takes --------------------------------------


def test_the_catalog_is_documented_as_public_and_is():
    security = operation("/api/v1/products", "get")["security"]
    assert {} in security
    assert APIClient().get("/api/v1/products").status_code == 200
    assert {} in operation("/api/v1/products/{product_id}", "get")["security"]


def test_nul_characters_are_outside_the_schema_as_on_the_server():
    pattern = component("TokenPairRequest")["properties"]["email"]["pattern"]
    assert not re.search(pattern, "a\x00b@example.com")
    response = APIClient().post(
        "/api/v1/auth/token", {"email": "a\x00b@example.com", "password": "x"}, format="json"
    )
    assert_invalid(response, "email")


def test_a_blank_required_string_is_outside_the_schema_as_on_the_server(customer_api):
    pattern = component("PaymentCreateRequest")["properties"]["payment_token"]["pattern"]
    assert not re.search(pattern, "   ")
    order = OrderFactory()
    response = customer_api.post(
        "/api/v1/payments",
        {"order_id": str(order.id), "payment_token": "   "},
        format="json",
        HTTP_IDEMPOTENCY_KEY="k-2",
    )
    assert_invalid(response, "payment_token")


def test_the_password_rules_the_schema_can_state_are_in_it():
    password = component("UserRegistrationRequest")["properties"]["password"]
    assert password["minLength"] == 8
    assert not re.search(password["pattern"], "12345678")
    assert re.search(password["pattern"], "correct horse")


@pytest.mark.parametrize("key", ["with space", "ключ", "", "x" * 256])
def test_idempotency_keys_outside_the_documented_format_are_refused(customer_api, key):
    parameter = next(
        p
        for p in operation("/api/v1/payments", "post")["parameters"]
        if p["name"] == "Idempotency-Key"
    )
    assert not re.search(parameter["schema"]["pattern"], key)
    response = customer_api.post(
        "/api/v1/payments",
        {"order_id": str(uuid.uuid4()), "payment_token": "tok_success"},
        format="json",
        HTTP_IDEMPOTENCY_KEY=key,
    )
    assert response.status_code == 400
    assert response.json()["code"] == "payments.idempotency_key_required"


def test_a_documented_idempotency_key_is_taken(customer_api):
    parameter = next(
        p
        for p in operation("/api/v1/payments", "post")["parameters"]
        if p["name"] == "Idempotency-Key"
    )
    key = "order-42:attempt~1"
    assert re.search(parameter["schema"]["pattern"], key)
    response = customer_api.post(
        "/api/v1/payments",
        {"order_id": str(uuid.uuid4()), "payment_token": "tok_success"},
        format="json",
        HTTP_IDEMPOTENCY_KEY=key,
    )
    assert response.status_code == 404  # past the key: no such order of this customer


def test_a_price_the_schema_allows_is_taken_and_one_it_refuses_is_not(staff_api):
    pattern = component("OrdersProductCreateRequest")["properties"]["price"]["pattern"]
    for price, ok in (
        ("0.01", True),
        ("19.99", True),
        ("0.00", False),
        ("5e2", False),
        ("-1", False),
        (" 5", False),
        ("05", False),
    ):
        assert bool(re.search(pattern, price)) is ok, price
        response = staff_api.post(
            "/api/v1/products",
            {"sku": f"P-{uuid.uuid4().hex[:8]}", "name": "Thing", "price": price},
            format="json",
        )
        assert response.status_code == (201 if ok else 400), (price, response.content)


def test_a_restock_of_zero_is_outside_the_schema_too(staff_api):
    quantity = component("OrdersProductRestockRequest")["properties"]["quantity"]
    assert quantity["not"] == {"enum": [0]}
    product = ProductFactory()
    response = staff_api.post(
        f"/api/v1/products/{product.id}/restock", {"quantity": 0}, format="json"
    )
    assert_invalid(response, "quantity")
