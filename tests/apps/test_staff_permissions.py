"""Staff reach another customer's data only with the permission the action implies.

The API endpoints and the admin actions are enumerated from the URL conf and the
admin site, so a new endpoint or action without a permission check fails here:

- every API operation, called by staff holding no permission, neither shows nor
  changes another customer's order, payment or account, nor the catalog;
- every operation that reaches another customer's data declares, in ``ACCESS``,
  the permissions it needs, and staff holding exactly those succeed;
- every admin action is hidden from staff who may only view the model, and
  offered to staff holding the permissions it implies.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal

import pytest
from django.contrib import admin
from django.test import RequestFactory
from django.urls import reverse
from rest_framework.test import APIClient

from apps.orders.models import Order, Product
from apps.payments.models import Payment
from apps.users.models import User
from contracts.payments import PaymentStatus
from extraction.models import OutboxEvent
from tests.api_routes import api_operations
from tests.factories.orders import OrderFactory, ProductFactory
from tests.factories.payments import PaymentFactory
from tests.factories.users import (
    StaffUserFactory,
    UserFactory,
    sign_in_to_admin,
    token_pair_for,
)

pytestmark = pytest.mark.django_db

OPEN = "open"  # anyone, signed in or not; touches no customer's data
OWN = "own"  # the caller's own data only, whoever the caller is
# What each API operation needs to reach another customer's data (or the catalog's
# staff side). Refunds, and cancelling another customer's order (which refunds a
# paid one), need payments.change_payment: the refund permission of the project.
ACCESS: dict[tuple[str, str], str | tuple[str, ...]] = {
    ("POST", "auth-register"): OPEN,
    ("POST", "auth-token"): OPEN,
    ("POST", "auth-token-refresh"): OPEN,
    ("GET", "users-list"): ("users.view_user",),
    ("GET", "users-me"): OWN,
    ("PATCH", "users-me"): OWN,
    ("POST", "users-me-deactivate"): OWN,
    ("GET", "users-detail"): ("users.view_user",),
    ("POST", "users-deactivate"): ("users.change_user",),
    ("GET", "products-list"): OPEN,  # inactive products need orders.view_product
    ("POST", "products-list"): ("orders.add_product",),
    ("GET", "products-detail"): OPEN,
    ("PATCH", "products-detail"): ("orders.change_product",),
    ("POST", "products-deactivate"): ("orders.change_product",),
    ("POST", "products-restock"): ("orders.change_product",),
    ("GET", "orders-list"): ("orders.view_order",),
    ("POST", "orders-list"): OWN,
    ("GET", "orders-detail"): ("orders.view_order",),
    ("POST", "orders-cancel"): ("orders.change_order", "payments.change_payment"),
    ("POST", "orders-fulfil"): ("orders.change_order",),
    ("GET", "payments-list"): ("payments.view_payment",),
    ("POST", "payments-list"): OWN,
    ("GET", "payments-detail"): ("payments.view_payment",),
    ("POST", "payments-refund"): ("payments.change_payment",),
}


# Operations that call the payment gateway, which refuses to run inside the
# transaction of an ordinary django_db test: they run in transactional tests.
MOVES_MONEY = {("POST", "orders-cancel"), ("POST", "payments-refund")}
API_OPERATIONS = [
    pytest.param(
        method,
        name,
        params,
        id=f"{method} {name}",
        marks=[pytest.mark.django_db(transaction=True)] if (method, name) in MOVES_MONEY else [],
    )
    for method, name, params, _ in sorted(api_operations())
]


@dataclass
class World:
    """Another customer's paid order and captured payment, and the catalog."""

    customer: User
    order: Order
    payment: Payment
    product: Product
    hidden_product: Product
    for_sale: Product

    def secrets(self) -> set[str]:
        """What staff without permissions must never be shown: ids, and who the customer is."""
        ids = (self.customer.id, self.order.id, self.payment.id, self.hidden_product.id)
        return {str(i) for i in ids} | {self.customer.email, self.customer.full_name}

    def shown(self, response, request_ids: set[str]) -> set[str]:
        """The secrets in the answer, but those the caller sent (a 404 names its id)."""
        strings = set(response.content.decode().split('"'))
        return (self.secrets() & strings) - request_ids

    def snapshot(self) -> dict[str, object]:
        product = Product.objects.get(pk=self.product.pk)
        payment = Payment.objects.get(pk=self.payment.pk)
        return {
            "order": Order.objects.get(pk=self.order.pk).status,
            "payment": (payment.status, payment.refunds.count()),
            "customer": User.objects.get(pk=self.customer.pk).is_active,
            "product": (product.name, product.price, product.active, product.stock),
            "products": Product.objects.count(),
        }

    def path_kwargs(self, params: tuple[str, ...]) -> dict[str, uuid.UUID]:
        ids = {
            "order_id": self.order.id,
            "payment_id": self.payment.id,
            "user_id": self.customer.id,
            "product_id": self.product.id,
        }
        missing = set(params) - set(ids)
        assert not missing, f"add an object for the path parameter(s) {missing} to World"
        return {p: ids[p] for p in params}

    def body(self, method: str, name: str) -> dict[str, object]:
        """A valid body for the operation, so only the permission can refuse it."""
        return {
            ("POST", "products-list"): {"sku": "NEW-1", "name": "New", "price": "3.00"},
            ("PATCH", "products-detail"): {"name": "Renamed"},
            ("POST", "products-restock"): {"quantity": 5},
            ("POST", "orders-list"): {"lines": [{"sku": self.for_sale.sku, "quantity": 1}]},
            ("POST", "payments-list"): {"order_id": str(self.order.id), "payment_token": "tok"},
            ("PATCH", "users-me"): {"full_name": "Renamed"},
        }.get((method, name), {})


@pytest.fixture
def world() -> World:
    customer = UserFactory(email="other.customer@example.com", full_name="Other Customer")
    product = ProductFactory()
    payment = PaymentFactory(captured=True, customer_id=customer.id, amount=Decimal("10.00"))
    order = OrderFactory.with_lines(
        (product, 1),
        id=payment.order_id,
        customer_id=customer.id,
        status="paid",
        payment_id=payment.id,
    )
    return World(
        customer=customer,
        order=order,
        payment=payment,
        product=product,
        hidden_product=ProductFactory(active=False),
        for_sale=ProductFactory(),
    )


def api_as(user: User) -> APIClient:
    """A client that sends ``user``'s access token, as a real client does: the token's
    claims (permissions included) are those ``user`` holds now."""
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token_pair_for(user).access_token}")
    return client


def call(user: User, world: World, method: str, name: str, params: tuple[str, ...]):
    """The answer to ``user``'s request, and the ids the request itself carried."""
    client = api_as(user)
    kwargs = world.path_kwargs(params)
    body = world.body(method, name)
    sent = {str(v) for v in kwargs.values()} | {str(v) for v in body.values()}
    url = reverse(name, kwargs=kwargs)
    response = client.generic(method, url, json.dumps(body), content_type="application/json")
    return response, sent


@pytest.mark.parametrize(("method", "name", "params"), API_OPERATIONS)
def test_staff_without_permissions_neither_see_nor_change_other_customers_data(
    world, method, name, params
):
    # given
    staff = StaffUserFactory()
    before = world.snapshot()
    # when
    response, sent = call(staff, world, method, name, params)
    # then
    assert response.status_code < 500, response.content
    leaked = world.shown(response, sent)
    assert not leaked, f"{method} {name} showed {leaked} to staff without permissions"
    assert world.snapshot() == before, f"{method} {name} changed another customer's data"


@pytest.mark.parametrize(("method", "name", "params"), API_OPERATIONS)
def test_staff_holding_the_declared_permissions_reach_other_customers_data(
    world, method, name, params
):
    access = ACCESS.get((method, name))
    assert access is not None, f"declare in ACCESS what {method} {name} needs"
    if access in (OPEN, OWN):
        return  # the test above proves such an operation reaches nobody else's data
    # given
    staff = StaffUserFactory(permissions=list(access))
    before = world.snapshot()
    # when
    response, _ = call(staff, world, method, name, params)
    # then: it read another customer's data, or changed it (or the catalog)
    assert 200 <= response.status_code < 300, response.content
    assert world.shown(response, set()) or world.snapshot() != before


@pytest.mark.parametrize(("method", "name", "params"), API_OPERATIONS)
def test_one_permission_short_is_not_enough(world, method, name, params):
    access = ACCESS[(method, name)]
    if access in (OPEN, OWN):
        return
    for missing in access:
        staff = StaffUserFactory(permissions=[p for p in access if p != missing])
        before = world.snapshot()
        response, sent = call(staff, world, method, name, params)
        assert not world.shown(response, sent), f"{method} {name} showed without {missing}"
        assert world.snapshot() == before, f"{method} {name} acted without {missing}"


# --- The admin ------------------------------------------------------------------------

# What an action's declared ``permissions`` imply beyond Django's add/change/delete/view.
CUSTOM_ACTION_PERMISSIONS = {
    ("orders.order", "cancel"): ("orders.change_order", "payments.change_payment"),
    ("payments.payment", "refund"): ("payments.change_payment",),
    ("extraction.outboxevent", "resubmit"): ("extraction.change_outboxevent",),
    ("extraction.deliveryfailure", "resubmit"): ("extraction.change_deliveryfailure",),
}


def _admin_request(user: User):
    request = RequestFactory().get("/admin/")
    request.user = user
    return request


def _model_admins() -> dict[str, admin.ModelAdmin]:
    return {model._meta.label_lower: a for model, a in admin.site._registry.items()}


def _admin_actions() -> Iterator[tuple[str, str]]:
    """(model label, action name) of every action the admin can ever offer."""
    superuser = User(is_staff=True, is_superuser=True, is_active=True)
    for label, model_admin in _model_admins().items():
        for action in model_admin.get_actions(_admin_request(superuser)):
            yield label, action


ADMIN_ACTIONS = sorted(_admin_actions())
ACTION_IDS = [f"{label}:{action}" for label, action in ADMIN_ACTIONS]


def _permissions_implied(label: str, action: str) -> tuple[str, ...]:
    model_admin = _model_admins()[label]
    func = next(f for f, name, _ in model_admin._get_base_actions() if name == action)
    declared = getattr(func, "allowed_permissions", ())
    assert declared, f"the admin action {label}:{action} declares no permissions"
    app_label, model_name = label.split(".")
    implied: list[str] = []
    for permission in declared:
        if permission in {"add", "change", "delete", "view"}:
            implied.append(f"{app_label}.{permission}_{model_name}")
        else:
            custom = CUSTOM_ACTION_PERMISSIONS.get((label, permission))
            assert custom, f"declare what {label}:{permission} implies"
            implied.extend(custom)
    return tuple(implied)


@pytest.mark.parametrize(("label", "action"), ADMIN_ACTIONS, ids=ACTION_IDS)
def test_admin_actions_are_hidden_from_staff_who_may_only_view(label, action):
    implied = _permissions_implied(label, action)
    app_label, model_name = label.split(".")
    view = f"{app_label}.view_{model_name}"
    for holding in ([view], [view, *implied[:-1]]):
        staff = StaffUserFactory(permissions=holding)
        offered = _model_admins()[label].get_actions(_admin_request(staff))
        assert action not in offered, f"{label}:{action} offered to staff holding {holding}"


@pytest.mark.parametrize(("label", "action"), ADMIN_ACTIONS, ids=ACTION_IDS)
def test_admin_actions_are_offered_to_staff_holding_what_they_imply(label, action):
    app_label, model_name = label.split(".")
    holding = [f"{app_label}.view_{model_name}", *_permissions_implied(label, action)]
    staff = StaffUserFactory(permissions=holding)
    assert action in _model_admins()[label].get_actions(_admin_request(staff))


@pytest.mark.parametrize("label", sorted(_model_admins()))
def test_admin_pages_need_the_view_permission(client, label):
    sign_in_to_admin(client, StaffUserFactory())
    app_label, model_name = label.split(".")
    page = client.get(reverse(f"admin:{app_label}_{model_name}_changelist"))
    assert page.status_code == 403


def test_staff_who_may_change_orders_but_not_refund_cannot_cancel_a_paid_order(client, world):
    # given: the admin's cancel refunds a paid order, so it needs payments.change_payment
    sign_in_to_admin(
        client, StaffUserFactory(permissions=["orders.view_order", "orders.change_order"])
    )
    changelist = reverse("admin:orders_order_changelist")
    # when
    page = client.get(changelist)
    client.post(
        changelist, {"action": "cancel_selected", "_selected_action": [str(world.order.pk)]}
    )
    # then
    assert "cancel_selected" not in page.content.decode()
    assert Order.objects.get(pk=world.order.pk).status == "paid"
    assert Payment.objects.get(pk=world.payment.pk).status == PaymentStatus.CAPTURED.value


# --- Specific cases ---------------------------------------------------------------------


@pytest.fixture
def paid_order():
    return OrderFactory.with_lines((ProductFactory(), 1), status="paid", payment_id=uuid.uuid4())


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
