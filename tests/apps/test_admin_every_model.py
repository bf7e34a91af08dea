"""Every model registered in the admin renders its changelist and change form."""

from __future__ import annotations

import uuid

import pytest
from django.contrib import admin
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.urls import reverse

from contracts import demo, get
from contracts.payments import PaymentsService
from extraction.models import DeliveryFailure
from tests.factories.users import SuperuserFactory, sign_in_to_admin

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

# Models with a table; a table-less page (extraction.Operations) has its own tests.
REGISTERED = sorted(
    (m for m in admin.site._registry if m._meta.managed), key=lambda m: m._meta.label
)

# Statements of one changelist page for a signed-in superuser, with the demo shop's
# rows: the session and the user, then the page (counts, rows, the filters' and the
# date drill-down's choices). Exact, so an N+1 (a query per row) fails. The tables
# that grow without bound count once (``show_full_result_count = False``).
CHANGELIST_STATEMENTS = {
    "auth.Group": 5,
    "extraction.DeliveryFailure": 6,
    "identity.StaffUser": 5,
    "extraction.InboxEntry": 6,
    "extraction.OutboxEvent": 7,
    "orders.Order": 7,
    "orders.Product": 6,
    "payments.Payment": 8,
    "payments.Refund": 7,
    "payments.SandboxCharge": 6,
    "payments.SandboxRefund": 5,
    "users.User": 6,
}


@pytest.fixture
def demo_shop():
    """The demo shop, one refund made through the contract, and one row of each other model."""
    call_command("seed_demo", "--allow-production", stdout=open("/dev/null", "w"))  # noqa: SIM115
    paid_order = demo.demo_id("order", "ada@example.com:2")
    # A real refund: gateway, Refund row, PaymentRefunded through outbox and inbox.
    get(PaymentsService).refund_order_payment(order_id=paid_order, reason="admin test")
    Group.objects.create(name="support")
    DeliveryFailure.objects.create(
        event_id=uuid.uuid4(),
        event_name="orders.OrderPlaced",
        handler="tests.handler",
        service="payments",
        envelope={},
        attempts=1,
        last_error="RuntimeError: boom",
    )


@pytest.fixture
def admin_client(client, demo_shop):
    sign_in_to_admin(client, SuperuserFactory())
    return client


def test_every_app_registers_its_models():
    labels = {m._meta.label for m in REGISTERED}
    assert {
        "users.User",
        "orders.Product",
        "orders.Order",
        "payments.Payment",
        "payments.Refund",
        "extraction.OutboxEvent",
        "extraction.InboxEntry",
    } <= labels


@pytest.mark.parametrize("model", REGISTERED, ids=lambda m: m._meta.label)
def test_changelist_search_and_change_form_render(admin_client, model, django_assert_num_queries):
    opts = model._meta
    changelist = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
    # when / then: the list, a search and every filter's first choice render
    assert admin_client.get(changelist).status_code == 200
    # with a row at least, a query per row shows as a statement more than the budget
    assert model._default_manager.exists(), f"the fixture made no {opts.verbose_name}"
    with django_assert_num_queries(CHANGELIST_STATEMENTS[opts.label]):
        assert admin_client.get(changelist).status_code == 200
    assert admin_client.get(changelist, {"q": "seams"}).status_code == 200
    instance = model._default_manager.order_by("pk").first()
    assert instance is not None, f"the fixture made no {opts.verbose_name}"
    change = reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[instance.pk])
    response = admin_client.get(change)
    assert response.status_code == 200
    assert (
        str(instance.pk) in response.content.decode() or str(instance) in response.content.decode()
    )
