"""The same calls, on the same scenario, answer the same in the three modes.

Each mode gets a fresh copy of one scenario (users, an order, payments) and makes
every call of every contract, successes and errors; the answers (type, value,
error class, code, message, details) must be identical. Only what the provider
generates afresh each time is normalised: the ids it did not get from the
scenario (a new refund's) and the gateway's references.
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest

from contracts import get
from contracts.codec import to_jsonable
from contracts.errors import ContractError
from contracts.orders import OrdersService
from contracts.payments import PaymentsService
from contracts.users import UsersService
from tests.contracts.conftest import bound_to
from tests.contracts.live import KEY
from tests.factories import OrderFactory, PaymentFactory, UserFactory
from tests.factories.users import PASSWORD, StaffUserFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

JOINED = datetime(2024, 5, 17, 9, 30, 15, 123456, tzinfo=UTC)
MISSING = uuid.UUID("00000000-0000-4000-8000-000000000001")
UUID_PATTERN = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def arrange(tag: str) -> dict[str, Any]:
    ada = UserFactory(email=f"ada-{tag}@example.com", full_name="Ada", date_joined=JOINED)
    bob = UserFactory(
        email=f"bob-{tag}@example.com", full_name="Bob", is_active=False, date_joined=JOINED
    )
    order = OrderFactory(customer_id=ada.id, total=Decimal("19.99"), currency="USD")
    captured = PaymentFactory(
        captured=True, order_id=order.id, customer_id=ada.id, amount=Decimal("19.99")
    )
    refusing = PaymentFactory(captured=True, sandbox_charge__token="tok_refund_refused")
    pending = PaymentFactory()
    captured_v2 = PaymentFactory(captured=True, amount=Decimal("7.00"))
    refusing_v2 = PaymentFactory(captured=True, sandbox_charge__token="tok_refund_refused")
    staff = StaffUserFactory(
        email=f"staff-{tag}@example.com",
        full_name="Staff",
        date_joined=JOINED,
        permissions=["orders.change_order"],
    )
    return {
        "staff": staff.id,
        f"staff-{tag}": staff.email,
        "captured_v2": captured_v2.id,
        "captured_v2_order": captured_v2.order_id,
        "refusing_v2": refusing_v2.id,
        "refusing_v2_order": refusing_v2.order_id,
        "key": f"refund-{tag}",
        "ada": ada.id,
        "bob": bob.id,
        "order": order.id,
        "captured": captured.id,
        "refusing": refusing.id,
        "refusing_order": refusing.order_id,
        "pending": pending.id,
        "pending_order": pending.order_id,
        f"ada-{tag}": ada.email,
        f"bob-{tag}": bob.email,
    }


def calls(w: dict[str, Any]) -> dict[str, Callable[[], Any]]:
    users, orders, payments = get(UsersService), get(OrdersService), get(PaymentsService)
    return {
        "get_user": lambda: users.get_user(user_id=w["ada"]),
        "get_user inactive": lambda: users.get_user(user_id=w["bob"]),
        "get_user unknown": lambda: users.get_user(user_id=MISSING),
        "get_users": lambda: users.get_users(user_ids=(w["bob"], MISSING, w["ada"])),
        "get_users none": lambda: users.get_users(user_ids=()),
        "get_order_for_payment": lambda: orders.get_order_for_payment(
            order_id=w["order"], customer_id=w["ada"]
        ),
        "get_order_for_payment other customer": lambda: orders.get_order_for_payment(
            order_id=w["order"], customer_id=w["bob"]
        ),
        "get_payment_status": lambda: payments.get_payment_status(payment_id=w["captured"]),
        "get_payment_status unknown": lambda: payments.get_payment_status(payment_id=MISSING),
        "refund": lambda: payments.refund_order_payment(order_id=w["order"], reason="fraud"),
        "refund again": lambda: payments.refund_order_payment(order_id=w["order"], reason="x"),
        "refund pending": lambda: payments.refund_order_payment(
            order_id=w["pending_order"], reason="fraud"
        ),
        "refund refused": lambda: payments.refund_order_payment(
            order_id=w["refusing_order"], reason="fraud"
        ),
        "refund v2": lambda: payments.refund_order_payment_v2(
            order_id=w["captured_v2_order"], reason="fraud", idempotency_key=w["key"]
        ),
        "refund v2 again": lambda: payments.refund_order_payment_v2(
            order_id=w["captured_v2_order"], reason="fraud", idempotency_key=w["key"]
        ),
        "refund v2 pending": lambda: payments.refund_order_payment_v2(
            order_id=w["pending_order"], reason="fraud", idempotency_key=w["key"] + "-p"
        ),
        "refund v2 refused": lambda: payments.refund_order_payment_v2(
            order_id=w["refusing_v2_order"], reason="fraud", idempotency_key=w["key"] + "-r"
        ),
        "authenticate_staff": lambda: users.authenticate_staff(
            email=w[next(k for k in w if k.startswith("staff-"))], password=PASSWORD
        ),
        "authenticate_staff wrong password": lambda: users.authenticate_staff(
            email=w[next(k for k in w if k.startswith("staff-"))], password="wrong"
        ),
        "get_staff_identity": lambda: users.get_staff_identity(user_id=w["staff"]),
        "get_staff_identity of a customer": lambda: users.get_staff_identity(user_id=w["ada"]),
    }


def answer(call: Callable[[], Any]) -> Any:
    try:
        value = call()
    except ContractError as exc:
        return {"raised": type(exc).__qualname__, **to_jsonable(exc.as_dict(), dict[str, Any])}
    return {"returned": type(value).__qualname__, "value": to_jsonable(value)}


def normalised(answers: dict[str, Any], world: dict[str, Any]) -> dict[str, Any]:
    text = json.dumps(answers, sort_keys=True)
    for name, value in world.items():
        text = text.replace(str(value), f"<{name.split('-')[0]}>")
    text = UUID_PATTERN.sub("<generated id>", text)
    text = re.sub(r"sbx_re_\w+", "<gateway reference>", text)
    return json.loads(text)


def run(tag: str) -> dict[str, Any]:
    world = arrange(tag)
    return normalised({label: answer(call) for label, call in calls(world).items()}, world)


def test_direct_codec_and_http_give_the_same_answers(settings, live_provider):
    # when
    settings.SEAMS_CONTRACT_CODEC = False
    direct = run("direct")
    settings.SEAMS_CONTRACT_CODEC = True
    codec = run("codec")
    settings.SEAMS_CONTRACT_CODEC = False
    settings.SEAMS_RPC_KEYS = [KEY]
    with bound_to(live_provider):
        http = run("http")
    # then: every call answered, some with errors, and identically in every mode
    assert len(direct) == 21
    assert {a.get("raised") for a in direct.values()} >= {
        "UserNotFound",
        "OrderNotFound",
        "PaymentNotFound",
        "NothingToRefund",
        "RefundDeclined",
        "StaffAuthenticationFailed",
    }
    assert codec == direct
    assert http == direct
