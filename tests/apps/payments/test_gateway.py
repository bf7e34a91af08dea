"""The sandbox gateway: test tokens, idempotency per key, refunds, the transaction guard."""

from __future__ import annotations

import uuid
from decimal import Decimal

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction

from apps.payments.gateway import (
    ChargeDeclined,
    GatewayCalledInTransaction,
    GatewayTimeout,
    OutcomeUnknown,
    RefundRefused,
    check_gateway_setting,
    get_gateway,
)
from apps.payments.models import SandboxCharge, SandboxRefund
from apps.payments.sandbox import SandboxGateway

# The gateway refuses to run inside a transaction, so most of these tests commit for real.


def charge(token: str, key: str | None = None, amount: str = "10.00") -> object:
    return get_gateway().charge(
        amount=Decimal(amount),
        currency="EUR",
        token=token,
        idempotency_key=key or str(uuid.uuid4()),
    )


@pytest.mark.parametrize("token", ["tok_success", "tok_visa", "tok_refund_refused"])
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_success_tokens_charge_and_record_one_charge(token):
    # when
    result = charge(token, key="k1", amount="12.34")
    # then
    recorded = SandboxCharge.objects.get()
    assert (result.reference, result.amount, result.currency) == (
        recorded.reference,
        Decimal("12.34"),
        "EUR",
    )
    assert (recorded.idempotency_key, recorded.outcome, recorded.attempts) == ("k1", "succeeded", 1)


@pytest.mark.parametrize(
    ("token", "decline_code"),
    [
        ("tok_decline", "card_declined"),
        ("tok_insufficient_funds", "insufficient_funds"),
        ("tok_made_up", "invalid_token"),
    ],
)
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_decline_tokens_raise_with_the_processor_code(token, decline_code):
    with pytest.raises(ChargeDeclined) as raised:
        charge(token)
    assert raised.value.decline_code == decline_code
    assert SandboxCharge.objects.get().outcome == "declined"


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_timeout_token_raises_a_timeout_and_records_nothing():
    with pytest.raises(GatewayTimeout) as raised:
        charge("tok_timeout")
    assert raised.value.decline_code == "timeout"
    assert SandboxCharge.objects.count() == 0


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_repeated_key_gets_the_first_answer_and_moves_no_money_again():
    # given
    first = charge("tok_success", key="same")
    # when: the same key again, even with another token and amount
    second = charge("tok_decline", key="same", amount="99.00")
    # then
    assert second == first
    recorded = SandboxCharge.objects.get()
    assert recorded.attempts == 2


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_declined_key_stays_declined():
    with pytest.raises(ChargeDeclined):
        charge("tok_decline", key="declined")
    with pytest.raises(ChargeDeclined):
        charge("tok_success", key="declined")
    assert SandboxCharge.objects.get().attempts == 2


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_refund_of_a_charge_succeeds_once_per_key():
    # given
    charged = charge("tok_success", amount="30.00")
    gateway = get_gateway()
    # when
    refund = gateway.refund(
        charge_reference=charged.reference,
        amount=Decimal("30.00"),
        currency="EUR",
        idempotency_key="r1",
    )
    again = gateway.refund(
        charge_reference=charged.reference,
        amount=Decimal("30.00"),
        currency="EUR",
        idempotency_key="r1",
    )
    # then
    assert again == refund
    assert refund.charge_reference == charged.reference
    recorded = SandboxRefund.objects.get()
    assert (recorded.outcome, recorded.amount, recorded.attempts) == (
        "succeeded",
        Decimal("30.00"),
        2,
    )


@pytest.mark.parametrize(
    ("token", "amount", "reference", "decline_code"),
    [
        ("tok_refund_refused", "30.00", None, "refund_refused"),
        ("tok_success", "30.01", None, "amount_exceeds_charge"),
        ("tok_success", "30.00", "sbx_ch_unknown", "no_such_charge"),
    ],
)
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_refunds_the_processor_refuses(token, amount, reference, decline_code):
    charged = charge(token, amount="30.00")
    with pytest.raises(RefundRefused) as raised:
        get_gateway().refund(
            charge_reference=reference or charged.reference,
            amount=Decimal(amount),
            currency="EUR",
            idempotency_key=str(uuid.uuid4()),
        )
    assert raised.value.decline_code == decline_code


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_second_full_refund_of_a_charge_is_refused():
    charged = charge("tok_success", amount="30.00")
    gateway = get_gateway()
    gateway.refund(
        charge_reference=charged.reference,
        amount=Decimal("30.00"),
        currency="EUR",
        idempotency_key="a",
    )
    with pytest.raises(RefundRefused):
        gateway.refund(
            charge_reference=charged.reference,
            amount=Decimal("30.00"),
            currency="EUR",
            idempotency_key="b",
        )
    assert list(SandboxRefund.objects.order_by("id").values_list("outcome", flat=True)) == [
        "succeeded",
        "refused",
    ]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_find_charge_knows_successful_charges_only():
    charged = charge("tok_success", key="found")
    with pytest.raises(ChargeDeclined):
        charge("tok_decline", key="declined")
    gateway = get_gateway()
    assert gateway.find_charge(idempotency_key="found") == charged
    assert gateway.find_charge(idempotency_key="declined") is None
    assert gateway.find_charge(idempotency_key="never-seen") is None


@pytest.mark.django_db
@pytest.mark.parametrize("operation", ["charge", "refund", "find_charge"])
def test_every_gateway_call_inside_a_transaction_is_refused(operation):
    arguments = {
        "charge": {
            "amount": Decimal("1"),
            "currency": "EUR",
            "token": "tok_success",
            "idempotency_key": "x",
        },
        "refund": {
            "charge_reference": "x",
            "amount": Decimal("1"),
            "currency": "EUR",
            "idempotency_key": "x",
        },
        "find_charge": {"idempotency_key": "x"},
    }[operation]
    with transaction.atomic(), pytest.raises(GatewayCalledInTransaction):
        getattr(get_gateway(), operation)(**arguments)
    assert SandboxCharge.objects.count() == 0


def test_the_setting_chooses_the_gateway(settings):
    settings.PAYMENTS_GATEWAY = "sandbox"
    assert isinstance(get_gateway(), SandboxGateway)
    settings.PAYMENTS_GATEWAY = "apps.payments.sandbox.SandboxGateway"
    assert isinstance(get_gateway(), SandboxGateway)


@pytest.mark.parametrize("value", ["stripe", "apps.payments.models.Payment"])
def test_an_unusable_gateway_setting_fails_the_system_check(settings, value):
    settings.PAYMENTS_GATEWAY = value
    with pytest.raises(ImproperlyConfigured):
        get_gateway()
    (error,) = check_gateway_setting()
    assert error.id == "payments.E001"
    assert value in error.msg


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_lost_answer_is_an_unknown_outcome_and_only_the_lookup_tells():
    gateway = get_gateway()
    for _ in range(2):  # every answer of tok_timeout_after_charge is lost
        with pytest.raises(OutcomeUnknown):
            charge("tok_timeout_after_charge", key="lost")
    found = gateway.find_charge(idempotency_key="lost")
    assert found is not None
    assert found.reference == SandboxCharge.objects.get(idempotency_key="lost").reference


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_late_charge_is_invisible_until_it_lands():
    with pytest.raises(GatewayTimeout):
        charge("tok_late", key="late")
    assert get_gateway().find_charge(idempotency_key="late") is None
    assert SandboxGateway.land_late_charges() == 1
    assert get_gateway().find_charge(idempotency_key="late") is not None


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_refunds_are_found_by_their_key_and_a_refused_one_raises():
    gateway = get_gateway()
    timed_out = charge("tok_refund_timeout", key="c1")
    refused = charge("tok_refund_refused", key="c2")
    with pytest.raises(GatewayTimeout):
        gateway.refund(
            charge_reference=timed_out.reference,
            amount=Decimal("10.00"),
            currency="EUR",
            idempotency_key="r1",
        )
    with pytest.raises(RefundRefused):
        gateway.refund(
            charge_reference=refused.reference,
            amount=Decimal("10.00"),
            currency="EUR",
            idempotency_key="r2",
        )
    assert gateway.find_refund(idempotency_key="r1").reference == (
        SandboxRefund.objects.get(idempotency_key="r1").reference
    )
    with pytest.raises(RefundRefused):
        gateway.find_refund(idempotency_key="r2")
    assert gateway.find_refund(idempotency_key="never") is None
