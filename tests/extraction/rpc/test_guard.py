"""No contract call inside an open database transaction, in any mode."""

from __future__ import annotations

import logging
import uuid

import pytest
from django.db import transaction

from apps.orders import payment_transitions
from contracts import get
from contracts.users import UsersService
from extraction.rpc.client import remote_adapter
from extraction.rpc.guard import ContractCallInTransaction
from extraction.rpc.observers import call_in_transaction
from tests.factories import OrderFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("codec", [False, True], ids=["direct", "codec"])
def test_a_local_call_inside_a_transaction_is_refused(settings, codec):
    settings.SEAMS_CONTRACT_CODEC = codec
    user = UserFactory()
    assert get(UsersService).get_user(user_id=user.id).id == user.id  # outside: fine
    refused = pytest.raises(ContractCallInTransaction, match=r"UsersService.get_user\(\)")
    with refused, transaction.atomic():
        get(UsersService).get_user(user_id=user.id)


def test_a_remote_call_inside_a_transaction_is_refused_before_any_request(scripted_provider):
    users = remote_adapter(UsersService, base_url=scripted_provider.url)()
    with pytest.raises(ContractCallInTransaction), transaction.atomic():
        users.get_user(user_id=uuid.uuid4())
    assert scripted_provider.attempts == 0


def test_production_may_downgrade_the_refusal_to_a_warning_with_a_signal(settings, caplog):
    settings.DEBUG = False
    settings.SEAMS_CONTRACT_IN_TRANSACTION = "warn"
    user = UserFactory()
    seen = []

    def observe(sender, **kwargs):
        seen.append(kwargs)

    call_in_transaction.connect(observe, weak=False)
    try:
        with caplog.at_level(logging.WARNING), transaction.atomic():
            assert get(UsersService).get_user(user_id=user.id).id == user.id
    finally:
        call_in_transaction.disconnect(observe)
    assert seen == [
        {
            "signal": call_in_transaction,
            "contract": "UsersService",
            "method": "get_user",
            "action": "allowed",
        }
    ]
    assert "contract call inside a database transaction: UsersService.get_user()" in caplog.text


def test_debug_always_refuses(settings):
    settings.DEBUG = True
    settings.SEAMS_CONTRACT_IN_TRANSACTION = "warn"
    with pytest.raises(ContractCallInTransaction), transaction.atomic():
        get(UsersService).get_user(user_id=uuid.uuid4())


def test_the_refund_of_a_cancellation_is_never_asked_inside_a_transaction(staff):
    # given: a paid order, cancelled from inside someone else's transaction
    order = OrderFactory(status="paid", payment_id=uuid.uuid4())
    # then: the refund call is refused, and nothing changed
    with pytest.raises(ContractCallInTransaction), transaction.atomic():
        payment_transitions.order_request_cancellation(order_id=order.id, reason="fraud")
    order.refresh_from_db()
    assert order.status == "paid"
