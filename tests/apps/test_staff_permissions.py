"""Staff status alone moves neither orders nor money: the model permission is needed.

The API and the admin actions ask for the same permission, so a staff member
who may only view orders can fulfil or cancel none of them anywhere.
"""

from __future__ import annotations

import uuid

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from apps.orders.models import Order
from apps.payments.models import Payment
from contracts.payments import PaymentStatus
from extraction.models import OutboxEvent
from tests.factories.orders import OrderFactory, ProductFactory
from tests.factories.payments import PaymentFactory
from tests.factories.users import StaffUserFactory, sign_in_to_admin

pytestmark = pytest.mark.django_db


@pytest.fixture
def paid_order():
    return OrderFactory.with_lines((ProductFactory(), 1), status="paid", payment_id=uuid.uuid4())


def api_as(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.mark.parametrize(
    ("permissions", "expected"), [(["orders.view_order"], 403), (["orders.change_order"], 200)]
)
def test_fulfilling_through_the_api_needs_change_order(paid_order, permissions, expected):
    staff = StaffUserFactory(permissions=permissions)
    response = api_as(staff).post(f"/api/v1/orders/{paid_order.id}/fulfil")
    assert response.status_code == expected
    paid_order.refresh_from_db()
    assert paid_order.status == ("fulfilled" if expected == 200 else "paid")


@pytest.mark.parametrize(
    ("permissions", "expected"),
    [(["orders.view_product"], 403), (["orders.change_product"], 200)],
)
def test_restocking_through_the_api_needs_change_product(permissions, expected):
    product = ProductFactory(stock=1)
    staff = StaffUserFactory(permissions=permissions)
    response = api_as(staff).post(
        f"/api/v1/products/{product.id}/restock", {"quantity": 5}, format="json"
    )
    assert response.status_code == expected
    product.refresh_from_db()
    assert product.stock == (6 if expected == 200 else 1)


def test_refunding_through_the_api_needs_change_payment():
    payment = PaymentFactory(status=PaymentStatus.CAPTURED.value)
    staff = StaffUserFactory(permissions=["payments.view_payment"])
    response = api_as(staff).post(f"/api/v1/payments/{payment.id}/refund", {}, format="json")
    assert response.status_code == 403
    assert Payment.objects.get(id=payment.id).status == PaymentStatus.CAPTURED.value


def test_staff_who_may_only_view_orders_are_not_offered_the_order_actions(client, paid_order):
    # given
    sign_in_to_admin(client, StaffUserFactory(permissions=["orders.view_order"]))
    changelist = reverse("admin:orders_order_changelist")
    # when
    page = client.get(changelist)
    posted = client.post(
        changelist, {"action": "fulfil_selected", "_selected_action": [str(paid_order.pk)]}
    )
    # then
    assert page.status_code == 200
    assert "fulfil_selected" not in page.content.decode()
    assert posted.status_code in (200, 302)
    assert Order.objects.get(pk=paid_order.pk).status == "paid"


def test_staff_who_may_change_orders_can_fulfil_in_the_admin(client, paid_order):
    sign_in_to_admin(
        client, StaffUserFactory(permissions=["orders.view_order", "orders.change_order"])
    )
    changelist = reverse("admin:orders_order_changelist")
    assert "fulfil_selected" in client.get(changelist).content.decode()
    client.post(changelist, {"action": "fulfil_selected", "_selected_action": [str(paid_order.pk)]})
    assert Order.objects.get(pk=paid_order.pk).status == "fulfilled"


@pytest.mark.parametrize(
    ("permissions", "offered"),
    [
        (["extraction.view_outboxevent"], False),
        (["extraction.view_outboxevent", "extraction.change_outboxevent"], True),
    ],
)
def test_resubmitting_outbox_events_in_the_admin_needs_change_outboxevent(
    client, permissions, offered
):
    # given: a parked event (Django offers actions only on a non-empty list)
    OutboxEvent.objects.create(
        event_id=uuid.uuid4(),
        name="orders.OrderPlaced",
        aggregate_id="a",
        payload={},
        status="parked",
    )
    sign_in_to_admin(client, StaffUserFactory(permissions=permissions))
    page = client.get(reverse("admin:extraction_outboxevent_changelist"))
    assert page.status_code == 200
    assert ('value="resubmit"' in page.content.decode()) is offered
