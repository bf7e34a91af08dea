"""Statement budgets of the orders API's hot paths, on a real commit.

Each test asserts the exact number of SQL statements (``BEGIN`` and ``COMMIT``
included) one request runs, authenticated with a real JWT as a client would, so
a stray read, an N+1 or an extra transaction fails the suite. What each
statement is for is written next to its budget.
"""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from apps.orders import services
from apps.orders.models import Order
from contracts.events import subscribe, subscriptions, unsubscribe
from extraction import delivery
from tests.factories.orders import ProductFactory
from tests.factories.users import UserFactory, token_pair_for

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

# users.get_user (the active-customer check through the contract); BEGIN; lock the
# product; update its stock; insert the order, its lines, the OrderPlaced outbox row
# (nobody in process subscribes: written published); COMMIT. The response is
# rendered from the rows just written.
PLACE_ORDER = 8
# the order and its lines, joined: one SELECT
READ_ORDER = 1
# COUNT for the pagination, the page of orders, the lines of the whole page
LIST_ORDERS = 3


@pytest.fixture
def customer_api():
    customer = UserFactory()
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {token_pair_for(customer).access_token}")
    api.customer = customer
    return api


@pytest.fixture(autouse=True)
def _only_the_apps_subscriptions():
    # Probes of other test modules (an OrderPlaced handler, say) stay subscribed for
    # the rest of the session once imported; the budgets are those of the shop.
    probes = [s for s in subscriptions() if s.key.startswith("tests.")]
    for probe in probes:
        unsubscribe(probe.key)
    yield
    for probe in probes:
        subscribe(probe.event_type, service=probe.service)(probe.handler)


@pytest.fixture(autouse=True)
def _no_sweep_due(settings):
    # The embedded delivery sweeps at a process's first commit and then at intervals;
    # the budgets are those of the requests in between.
    settings.SEAMS_OUTBOX_SWEEP_SECONDS = 3600
    delivery.sweeps.take()
    yield
    delivery.sweeps.reset()


def test_placing_an_order(customer_api, django_assert_num_queries):
    ProductFactory(sku="MUG", stock=10)
    ProductFactory(sku="TEE", stock=10)
    body = {"lines": [{"sku": "MUG", "quantity": 1}, {"sku": "TEE", "quantity": 2}]}
    with django_assert_num_queries(PLACE_ORDER):
        response = customer_api.post("/api/v1/orders", body, format="json")
    assert response.status_code == 201, response.content
    assert [line["sku"] for line in response.json()["lines"]] == ["MUG", "TEE"]


def test_reading_an_order(customer_api, django_assert_num_queries):
    ProductFactory(sku="MUG", stock=10)
    ProductFactory(sku="TEE", stock=10)
    order = services.order_place(
        customer_id=customer_api.customer.id, lines=[("MUG", 1), ("TEE", 1)]
    )
    with django_assert_num_queries(READ_ORDER):
        response = customer_api.get(f"/api/v1/orders/{order.id}")
    assert response.status_code == 200
    assert len(response.json()["lines"]) == 2


def test_listing_a_page_of_twenty_orders_with_their_lines(customer_api, django_assert_num_queries):
    ProductFactory(sku="MUG", stock=100)
    ProductFactory(sku="TEE", stock=100)
    for _ in range(25):
        services.order_place(customer_id=customer_api.customer.id, lines=[("MUG", 1), ("TEE", 1)])
    with django_assert_num_queries(LIST_ORDERS):
        response = customer_api.get("/api/v1/orders", {"limit": 20})
    assert response.status_code == 200
    page = response.json()
    assert (page["count"], len(page["results"])) == (25, 20)
    assert all(len(order["lines"]) == 2 for order in page["results"])
    assert Order.objects.count() == 25
