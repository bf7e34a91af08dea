"""Admin screens of the orders app: pages render, edits and actions go through the services."""

from __future__ import annotations

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from apps.orders import services
from apps.orders.models import Order, Product
from tests.factories.orders import OrderFactory
from tests.factories.users import sign_in_to_admin

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, staff):
    sign_in_to_admin(client, staff)
    return client


def messages_of(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


@pytest.mark.parametrize("model", ["product", "order"])
def test_changelist_renders_with_search_and_filters(admin_client, paid_order, model):
    url = reverse(f"admin:orders_{model}_changelist")
    assert admin_client.get(url).status_code == 200
    assert admin_client.get(url, {"q": "TEE"}).status_code == 200
    response = admin_client.get(url, {"currency": "EUR"})
    assert response.status_code == 200
    assert b"TEE" in response.content or str(paid_order.id).encode() in response.content


def test_product_add_and_change_forms_render(admin_client, tee):
    assert admin_client.get(reverse("admin:orders_product_add")).status_code == 200
    response = admin_client.get(reverse("admin:orders_product_change", args=[tee.pk]))
    assert response.status_code == 200
    assert b"T-shirt" in response.content


def test_order_change_form_shows_lines_and_read_only_money(admin_client, paid_order):
    response = admin_client.get(reverse("admin:orders_order_change", args=[paid_order.pk]))
    assert response.status_code == 200
    content = response.content.decode()
    assert "TEE" in content and "39.98" in content
    assert 'name="total"' not in content  # shown, never editable
    assert 'name="status"' not in content


def test_staff_add_a_product(admin_client):
    response = admin_client.post(
        reverse("admin:orders_product_add"),
        {
            "sku": "CAP",
            "name": "Cap",
            "price": "12.00",
            "currency": "EUR",
            "stock": "4",
            "active": "on",
        },
    )
    assert response.status_code == 302, response.content
    assert Product.objects.get(sku="CAP").stock == 4


def test_a_stock_edit_is_applied_as_a_difference(admin_client, customer, tee):
    # given: the operator opens the form at stock 10, then a customer orders 3
    form = admin_client.get(reverse("admin:orders_product_change", args=[tee.pk]))
    assert form.status_code == 200
    services.order_place(customer_id=customer.pk, lines=[("TEE", 3)])
    # when: the operator types 15 (meaning: 5 more)
    response = admin_client.post(
        reverse("admin:orders_product_change", args=[tee.pk]),
        {
            "name": "T-shirt",
            "price": "19.99",
            "currency": "EUR",
            "stock": "15",
            "active": "on",
            "initial-stock": "10",
        },
        follow=True,
    )
    # then: the reservation is kept
    assert response.status_code == 200
    tee.refresh_from_db()
    assert tee.stock == 12
    assert any("changed by +5 to 12" in m for m in messages_of(response))


def test_an_untouched_stock_field_keeps_the_reservations_made_meanwhile(
    admin_client, customer, tee
):
    services.order_place(customer_id=customer.pk, lines=[("TEE", 3)])
    admin_client.post(
        reverse("admin:orders_product_change", args=[tee.pk]),
        {
            "name": "Tee",
            "price": "19.99",
            "currency": "EUR",
            "stock": "10",
            "active": "on",
            "initial-stock": "10",
        },
    )
    tee.refresh_from_db()
    assert (tee.name, tee.stock) == ("Tee", 7)


def test_deactivate_action(admin_client, tee, mug):
    admin_client.post(
        reverse("admin:orders_product_changelist"),
        {"action": "deactivate_selected", "_selected_action": [tee.pk]},
    )
    assert dict(Product.objects.values_list("sku", "active")) == {"TEE": False, "MUG": True}


def test_fulfil_action_fulfils_paid_orders_and_reports_the_others(admin_client, paid_order):
    # given
    pending = OrderFactory(status="pending_payment")
    # when
    response = admin_client.post(
        reverse("admin:orders_order_changelist"),
        {"action": "fulfil_selected", "_selected_action": [paid_order.pk, pending.pk]},
        follow=True,
    )
    # then
    statuses = dict(Order.objects.values_list("id", "status"))
    assert statuses == {paid_order.id: "fulfilled", pending.id: "pending_payment"}
    messages = messages_of(response)
    assert "1 order(s) fulfilled." in messages
    assert any(str(pending.id) in m and "cannot become fulfilled" in m for m in messages)


def test_cancel_action_cancels_pending_orders_and_releases_stock(admin_client, customer, tee):
    # given
    order = services.order_place(customer_id=customer.pk, lines=[("TEE", 4)])
    fulfilled = OrderFactory(status="fulfilled")
    # when
    response = admin_client.post(
        reverse("admin:orders_order_changelist"),
        {"action": "cancel_selected", "_selected_action": [order.pk, fulfilled.pk]},
        follow=True,
    )
    # then
    order.refresh_from_db()
    tee.refresh_from_db()
    assert (order.status, tee.stock) == ("cancelled", 10)
    assert order.cancel_reason.startswith("cancelled by staff")
    messages = messages_of(response)
    assert "1 order(s) cancelled or refunded." in messages
    assert any(str(fulfilled.id) in m for m in messages)
