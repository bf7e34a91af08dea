"""The orders REST API: catalog, placing, listing, cancelling, fulfilling, authorization."""

from __future__ import annotations

import uuid
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from apps.orders.models import Order, Product
from tests.factories.orders import OrderFactory, ProductFactory

pytestmark = pytest.mark.django_db

PRODUCTS = "/api/v1/products"
ORDERS = "/api/v1/orders"


def assert_error(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == {"code", "message", "details"}
    assert body["code"] == code
    return body


# --- catalog ----------------------------------------------------------------------------


def test_anonymous_visitors_browse_active_products_only(api, tee, mug):
    ProductFactory(sku="OLD", active=False)
    response = api.get(PRODUCTS)
    assert response.status_code == 200
    body = response.json()
    assert [p["sku"] for p in body["results"]] == ["MUG", "TEE"]
    assert body["results"][1] | {"id": None, "updated_at": None} == {
        "id": None,
        "sku": "TEE",
        "name": "T-shirt",
        "price": "19.99",
        "currency": "EUR",
        "stock": 10,
        "active": True,
        "updated_at": None,
    }


@pytest.mark.parametrize(
    ("query", "skus"),
    [
        ("search=shirt", ["TEE"]),
        ("search=mu", ["MUG"]),
        ("sku=tee", ["TEE"]),
        ("price_min=10", ["EMPTY", "TEE"]),
        ("price_max=10", ["MUG"]),
        ("price_min=9.50&price_max=19.99", ["MUG", "TEE"]),
        ("price_min=20", ["EMPTY"]),
        ("in_stock=false", ["EMPTY"]),
        ("currency=usd", []),
    ],
)
def test_product_filters(api, customer, tee, mug, query, skus):
    ProductFactory(sku="EMPTY", name="Sold out", stock=0, price=Decimal("30.00"))
    api.force_authenticate(customer)
    response = api.get(f"{PRODUCTS}?{query}")
    assert response.status_code == 200
    assert [p["sku"] for p in response.json()["results"]] == skus


def test_staff_see_and_filter_inactive_products(api, staff, tee):
    ProductFactory(sku="OLD", active=False)
    api.force_authenticate(staff)
    assert [p["sku"] for p in api.get(f"{PRODUCTS}?active=false").json()["results"]] == ["OLD"]
    assert api.get(f"{PRODUCTS}").json()["count"] == 2


def test_a_bad_filter_value_is_a_400_in_the_error_shape(api, tee):
    assert_error(api.get(f"{PRODUCTS}?price_min=cheap"), 400, "invalid")


def test_retrieve_a_product_and_an_inactive_one_is_hidden_from_customers(api, customer, staff):
    retired = ProductFactory(sku="OLD", active=False)
    api.force_authenticate(customer)
    assert_error(api.get(f"{PRODUCTS}/{retired.id}"), 404, "orders.product_not_found")
    api.force_authenticate(staff)
    assert api.get(f"{PRODUCTS}/{retired.id}").json()["sku"] == "OLD"


def test_staff_create_update_restock_and_deactivate_a_product(api, staff):
    api.force_authenticate(staff)
    # create
    created = api.post(
        PRODUCTS,
        {"sku": "CAP", "name": "Cap", "price": "12.00", "currency": "EUR", "stock": 3},
        format="json",
    )
    assert created.status_code == 201, created.content
    product_id = created.json()["id"]
    # update
    updated = api.patch(f"{PRODUCTS}/{product_id}", {"price": "14.50"}, format="json")
    assert updated.json()["price"] == "14.50"
    # restock
    restocked = api.post(f"{PRODUCTS}/{product_id}/restock", {"quantity": 7}, format="json")
    assert restocked.json()["stock"] == 10
    too_many = api.post(f"{PRODUCTS}/{product_id}/restock", {"quantity": -11}, format="json")
    assert_error(too_many, 409, "orders.stock_negative")
    # deactivate
    deactivated = api.post(f"{PRODUCTS}/{product_id}/deactivate")
    assert deactivated.json()["active"] is False
    product = Product.objects.get(pk=product_id)
    assert (product.price, product.stock, product.active) == (Decimal("14.50"), 10, False)


def test_a_taken_sku_and_bad_product_input(api, staff, tee):
    api.force_authenticate(staff)
    taken = api.post(PRODUCTS, {"sku": "TEE", "name": "x", "price": "1.00"}, format="json")
    assert_error(taken, 409, "orders.sku_taken")
    bad = api.post(
        PRODUCTS,
        {"sku": "bad sku/../x", "name": "x", "price": "-1", "currency": "euro"},
        format="json",
    )
    body = assert_error(bad, 400, "invalid")
    assert set(body["details"]) == {"sku", "price", "currency"}
    assert not Product.objects.filter(sku="bad sku/../x").exists()


def test_customers_and_visitors_cannot_change_the_catalog(api, customer, tee):
    new = {"sku": "CAP", "name": "Cap", "price": "12.00"}
    assert_error(api.post(PRODUCTS, new, format="json"), 401, "not_authenticated")
    api.force_authenticate(customer)
    assert_error(api.post(PRODUCTS, new, format="json"), 403, "permission_denied")
    assert_error(
        api.patch(f"{PRODUCTS}/{tee.id}", {"price": "0.01"}, format="json"),
        403,
        "permission_denied",
    )
    assert_error(api.post(f"{PRODUCTS}/{tee.id}/deactivate"), 403, "permission_denied")
    assert_error(
        api.post(f"{PRODUCTS}/{tee.id}/restock", {"quantity": 5}, format="json"),
        403,
        "permission_denied",
    )
    tee.refresh_from_db()
    assert (tee.price, tee.stock, tee.active) == (Decimal("19.99"), 10, True)


# --- placing and reading orders ---------------------------------------------------------


def test_a_customer_places_an_order(api, customer, tee, mug):
    api.force_authenticate(customer)
    response = api.post(
        ORDERS,
        {"lines": [{"sku": "TEE", "quantity": 2}, {"sku": "MUG", "quantity": 1}]},
        format="json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["customer_id"] == str(customer.pk)
    assert (body["status"], body["total"], body["currency"]) == ("pending_payment", "49.48", "EUR")
    assert body["lines"] == [
        {
            "sku": "TEE",
            "name": "T-shirt",
            "unit_price": "19.99",
            "quantity": 2,
            "line_total": "39.98",
        },
        {"sku": "MUG", "name": "Mug", "unit_price": "9.50", "quantity": 1, "line_total": "9.50"},
    ]
    assert body["last_payment_failure"] is None


def test_the_client_cannot_choose_the_price_or_the_customer(api, customer, other_customer, tee):
    api.force_authenticate(customer)
    response = api.post(
        ORDERS,
        {
            "lines": [{"sku": "TEE", "quantity": 1, "unit_price": "0.01"}],
            "total": "0.01",
            "customer_id": str(other_customer.pk),
        },
        format="json",
    )
    assert response.status_code == 201
    assert (response.json()["total"], response.json()["customer_id"]) == ("19.99", str(customer.pk))


def test_out_of_stock_is_a_409_with_the_short_lines(api, customer, mug):
    api.force_authenticate(customer)
    response = api.post(ORDERS, {"lines": [{"sku": "MUG", "quantity": 6}]}, format="json")
    body = assert_error(response, 409, "orders.out_of_stock")
    assert body["details"] == {"lines": [{"sku": "MUG", "requested": 6, "available": 5}]}


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({"lines": []}, 400, "invalid"),
        ({}, 400, "invalid"),
        ({"lines": [{"sku": "TEE", "quantity": 0}]}, 400, "invalid"),
        ({"lines": [{"sku": "TEE", "quantity": "two"}]}, 400, "invalid"),
        ({"lines": [{"sku": "TEE", "quantity": "2"}]}, 400, "invalid"),
        ({"lines": [{"sku": 7, "quantity": 1}]}, 400, "invalid"),
        ({"lines": "TEE"}, 400, "invalid"),
        ({"lines": [{"sku": "NOPE", "quantity": 1}]}, 422, "orders.product_unknown"),
        ({"lines": [{"sku": "OLD", "quantity": 1}]}, 422, "orders.product_inactive"),
        (
            {"lines": [{"sku": "TEE", "quantity": 600}, {"sku": "TEE", "quantity": 600}]},
            422,
            "orders.invalid_lines",
        ),
    ],
)
def test_bad_order_input_is_a_4xx_never_a_500(api, customer, tee, body, status, code):
    ProductFactory(sku="OLD", active=False)
    api.force_authenticate(customer)
    assert_error(api.post(ORDERS, body, format="json"), status, code)
    assert Order.objects.count() == 0


def test_malformed_json_is_a_400(api, customer):
    api.force_authenticate(customer)
    response = api.post(ORDERS, data="{not json", content_type="application/json")
    assert_error(response, 400, "malformed_request")


def test_orders_need_an_account(api):
    assert_error(api.get(ORDERS), 401, "not_authenticated")
    assert_error(api.post(ORDERS, {"lines": []}, format="json"), 401, "not_authenticated")


def test_a_customer_lists_only_their_own_orders_with_filters(api, customer, other_customer):
    # given
    now = timezone.now()
    old = OrderFactory(customer_id=customer.pk, status="paid", created_at=now - timedelta(days=3))
    new = OrderFactory(customer_id=customer.pk, created_at=now)
    OrderFactory(customer_id=other_customer.pk)
    api.force_authenticate(customer)

    def ids(query: str = "") -> list[str]:
        response = api.get(f"{ORDERS}?{query}")
        assert response.status_code == 200, response.content
        return [o["id"] for o in response.json()["results"]]

    # then
    assert ids() == [str(new.id), str(old.id)]
    assert ids("status=paid") == [str(old.id)]
    assert ids("status=paid&status=pending_payment") == [str(new.id), str(old.id)]
    since = (now - timedelta(days=1)).isoformat().replace("+00:00", "Z")
    assert ids(f"created_after={since}") == [str(new.id)]
    assert ids(f"created_before={since}") == [str(old.id)]
    assert ids(f"customer_id={other_customer.pk}") == []  # never someone else's
    assert ids("limit=1")[0] == str(new.id)
    assert_error(api.get(f"{ORDERS}?status=lost"), 400, "invalid")


def test_staff_list_every_order_and_filter_by_customer(api, staff, customer, other_customer):
    mine = OrderFactory(customer_id=customer.pk)
    OrderFactory(customer_id=other_customer.pk)
    api.force_authenticate(staff)
    assert api.get(ORDERS).json()["count"] == 2
    results = api.get(f"{ORDERS}?customer_id={customer.pk}").json()["results"]
    assert [o["id"] for o in results] == [str(mine.id)]


def test_retrieve_own_order_and_another_customers_is_404(api, customer, other_customer, staff):
    order = OrderFactory(customer_id=customer.pk)
    api.force_authenticate(customer)
    assert api.get(f"{ORDERS}/{order.id}").json()["id"] == str(order.id)
    api.force_authenticate(other_customer)
    assert_error(api.get(f"{ORDERS}/{order.id}"), 404, "orders.order_not_found")
    assert_error(api.get(f"{ORDERS}/{uuid.uuid4()}"), 404, "orders.order_not_found")
    api.force_authenticate(staff)
    assert api.get(f"{ORDERS}/{order.id}").status_code == 200


def test_the_last_payment_failure_is_shown(api, customer):
    order = OrderFactory(
        customer_id=customer.pk,
        last_payment_failure_code="card_declined",
        last_payment_failure_message="Declined.",
        last_payment_failed_at=timezone.now(),
    )
    api.force_authenticate(customer)
    failure = api.get(f"{ORDERS}/{order.id}").json()["last_payment_failure"]
    assert (failure["code"], failure["message"]) == ("card_declined", "Declined.")


# --- cancel and fulfil ------------------------------------------------------------------


@pytest.fixture
def placed(api, customer, tee):
    api.force_authenticate(customer)
    response = api.post(ORDERS, {"lines": [{"sku": "TEE", "quantity": 3}]}, format="json")
    assert response.status_code == 201
    return Order.objects.get(pk=response.json()["id"])


def test_a_customer_cancels_their_pending_order_and_the_stock_comes_back(api, placed, tee):
    tee.refresh_from_db()
    assert tee.stock == 7
    response = api.post(f"{ORDERS}/{placed.id}/cancel", {"reason": "too slow"}, format="json")
    assert response.status_code == 200, response.content
    assert (response.json()["status"], response.json()["cancel_reason"]) == (
        "cancelled",
        "too slow",
    )
    tee.refresh_from_db()
    assert tee.stock == 10
    again = api.post(f"{ORDERS}/{placed.id}/cancel")
    body = assert_error(again, 409, "orders.illegal_transition")
    assert (body["details"]["from"], body["details"]["to"]) == ("cancelled", "cancelled")


def test_a_customer_cannot_cancel_another_customers_order(api, placed, other_customer, tee):
    api.force_authenticate(other_customer)
    assert_error(api.post(f"{ORDERS}/{placed.id}/cancel"), 404, "orders.order_not_found")
    placed.refresh_from_db()
    assert placed.status == "pending_payment"


def test_staff_cancel_any_pending_order(api, placed, staff):
    api.force_authenticate(staff)
    response = api.post(f"{ORDERS}/{placed.id}/cancel")
    assert (response.json()["status"], response.json()["cancel_reason"]) == (
        "cancelled",
        "cancelled by the staff",
    )


def test_a_customer_cannot_fulfil_even_their_own_order(api, customer, paid_order):
    api.force_authenticate(customer)
    assert_error(api.post(f"{ORDERS}/{paid_order.id}/fulfil"), 403, "permission_denied")
    paid_order.refresh_from_db()
    assert paid_order.status == "paid"


def test_staff_fulfil_a_paid_order_but_not_a_pending_one(api, staff, paid_order, placed):
    api.force_authenticate(staff)
    response = api.post(f"{ORDERS}/{paid_order.id}/fulfil")
    assert response.status_code == 200
    assert response.json()["status"] == "fulfilled"
    assert response.json()["fulfilled_at"] is not None
    refused = api.post(f"{ORDERS}/{placed.id}/fulfil")
    body = assert_error(refused, 409, "orders.illegal_transition")
    assert body["details"] == {
        "order_id": str(placed.id),
        "from": "pending_payment",
        "to": "fulfilled",
    }
    assert_error(api.post(f"{ORDERS}/{uuid.uuid4()}/fulfil"), 404, "orders.order_not_found")


def test_the_openapi_schema_documents_the_orders_api(api, staff):
    api.force_authenticate(staff)
    response = api.get("/api/schema/?format=json")
    assert response.status_code == 200
    schema = response.json()
    operations = {
        op["operationId"]
        for path in schema["paths"].values()
        for op in path.values()
        if isinstance(op, dict) and "operationId" in op
    }
    assert {
        "products_list",
        "products_create",
        "products_retrieve",
        "products_partial_update",
        "products_deactivate",
        "products_restock",
        "orders_list",
        "orders_create",
        "orders_retrieve",
        "orders_cancel",
        "orders_fulfil",
    } <= operations
    assert {"OrdersOrder", "OrdersProduct", "OrdersOrderPlaceRequest"} <= set(
        schema["components"]["schemas"]
    )
