"""Admin pages of the payments app render, stay read-only, and the refund action works."""

from __future__ import annotations

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from apps.payments.models import Payment, Refund, SandboxCharge, SandboxRefund
from tests.factories.payments import PaymentFactory, RefundFactory
from tests.factories.users import sign_in_to_admin


@pytest.fixture
def admin_client_(client, staff):
    sign_in_to_admin(client, staff)
    return client


@pytest.fixture
def ledger(db):
    """One row of every model of the app."""
    refund = RefundFactory(payment__gateway_reference="sbx_ch_ledger")
    charge = SandboxCharge.objects.get(reference="sbx_ch_ledger")
    sandbox_refund = SandboxRefund.objects.create(
        reference="sbx_re_ledger",
        idempotency_key=str(refund.id),
        charge=charge,
        amount=refund.amount,
        currency=refund.currency,
        outcome="succeeded",
    )
    return {
        Payment: refund.payment,
        Refund: refund,
        SandboxCharge: charge,
        SandboxRefund: sandbox_refund,
    }


MODELS = [Payment, Refund, SandboxCharge, SandboxRefund]


@pytest.mark.django_db
@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_the_changelist_and_the_change_form_render(admin_client_, ledger, model):
    # given
    obj = ledger[model]
    info = (model._meta.app_label, model._meta.model_name)
    # when
    changelist = admin_client_.get(reverse("admin:{}_{}_changelist".format(*info)))
    change = admin_client_.get(reverse("admin:{}_{}_change".format(*info), args=[obj.pk]))
    # then
    assert changelist.status_code == 200
    assert change.status_code == 200
    assert str(obj.pk) in change.content.decode() or str(obj) in change.content.decode()
    # and nothing can be added or edited by hand
    assert admin_client_.get(reverse("admin:{}_{}_add".format(*info))).status_code == 403


@pytest.mark.django_db
def test_the_payment_change_form_shows_its_refunds_and_stored_answer(admin_client_, ledger):
    payment = ledger[Payment]
    page = admin_client_.get(reverse("admin:payments_payment_change", args=[payment.pk]))
    content = page.content.decode()
    assert str(ledger[Refund].pk) in content
    assert "Idempotency" in content
    assert payment.idempotency_key in content


@pytest.mark.django_db
@pytest.mark.parametrize(
    "query",
    ["search_by_id", "search_by_key", "filter_by_status", "filter_by_failure_code"],
)
def test_the_payment_changelist_searches_and_filters(admin_client_, query):
    wanted = PaymentFactory(status="failed", failure_code="payments.card_declined")
    other = PaymentFactory()
    params = {
        "search_by_id": {"q": str(wanted.id)},
        "search_by_key": {"q": wanted.idempotency_key},
        "filter_by_status": {"status__exact": "failed"},
        "filter_by_failure_code": {"failure_code": "payments.card_declined"},
    }[query]
    page = admin_client_.get(reverse("admin:payments_payment_changelist"), params)
    assert page.status_code == 200
    listed = {p.pk for p in page.context["cl"].result_list}
    assert listed == {wanted.pk}
    assert other.pk not in listed


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_refund_action_refunds_captured_payments_and_reports_the_rest(admin_client_):
    # given: a refundable payment, one the processor refuses to refund, one not captured
    good = PaymentFactory(captured=True)
    refused = PaymentFactory(captured=True, sandbox_charge__token="tok_refund_refused")
    pending = PaymentFactory()
    # when
    response = admin_client_.post(
        reverse("admin:payments_payment_changelist"),
        {
            "action": "refund_selected",
            "_selected_action": [str(p.pk) for p in (good, refused, pending)],
        },
        follow=True,
    )
    # then
    assert response.status_code == 200
    statuses = dict(Payment.objects.values_list("pk", "status"))
    assert statuses == {good.pk: "refunded", refused.pk: "captured", pending.pk: "pending"}
    texts = [str(m) for m in get_messages(response.wsgi_request)]
    assert "Refunded 1 payment(s)." in texts
    assert any(str(refused.pk) in t and "payments.refund_declined" in t for t in texts)
    assert "Skipped 1 payment(s) that are not captured." in texts


@pytest.mark.django_db
def test_staff_without_the_change_permission_do_not_get_the_refund_action(client):
    from django.contrib.auth.models import Permission

    from tests.factories.users import UserFactory

    viewer = UserFactory(is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_payment"))
    sign_in_to_admin(client, viewer)
    page = client.get(reverse("admin:payments_payment_changelist"))
    assert page.status_code == 200
    assert "refund_selected" not in page.content.decode()
