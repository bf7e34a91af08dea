"""The admin of an extracted service, for real: ``make split`` with payments extracted.

The deployment is the one ``make split`` runs (``extraction.launch``: fresh
databases per node, migrated and seeded, every process of
``deploy/processes/Procfile.split`` — gunicorn, relay and worker of the monolith
without payments and of the payments service — on one broker). Staff accounts
exist only in the users database; they sign in to the payments service's admin
with their one password, through ``UsersService.authenticate_staff`` over the
signed RPC endpoint, and get exactly the permissions granted in the users app:
``payments.view_payment`` opens the payments admin but cannot refund,
``payments.change_payment`` refunds. The payments database never has a users
table.
"""

from __future__ import annotations

import contextlib
import re
import uuid
from collections.abc import Iterator

import httpx
import pytest

from extraction.launch.local import Node, manage
from extraction.launch.stack import Stack
from tests.e2e.split_stacks import owner, query, running_stack

pytestmark = [pytest.mark.postgres, pytest.mark.rabbitmq, pytest.mark.redis]

PASSWORD = "split admin passphrase 1842"
CUSTOMER_PASSWORD = "a long and unusual passphrase 42"


@pytest.fixture(scope="module")
def split(tmp_path_factory) -> Iterator[tuple[Stack, Node, Node]]:
    with running_stack(
        "payments", tmp_path_factory.mktemp("split-admin"), OPS_PASSWORD=PASSWORD
    ) as stack:
        yield stack, owner(stack, "users"), owner(stack, "payments")


def grant(stack: Stack, monolith: Node, email: str, *labels: str) -> None:
    """A staff account made and granted where accounts live (the users app's process)."""
    manage(
        stack.deployment,
        monolith,
        "create_staff",
        "--email",
        email,
        "--password-env",
        "OPS_PASSWORD",
    )
    codenames = [label.split(".")[1] for label in labels]
    manage(
        stack.deployment,
        monolith,
        "shell",
        "-c",
        "from django.contrib.auth.models import Permission\n"
        "from apps.users.models import User\n"
        f"User.objects.get(email={email!r}).user_permissions.set(Permission.objects.filter("
        f"content_type__app_label='payments', codename__in={codenames!r}))",
    )


@pytest.fixture(scope="module")
def captured_payment(split) -> tuple[str, dict[str, str]]:
    """A customer's order placed and paid through the one public URL (the monolith)."""
    stack, _, _ = split
    body = {"email": f"buyer-{uuid.uuid4().hex[:6]}@example.com", "password": CUSTOMER_PASSWORD}
    with httpx.Client(base_url=f"{stack.deployment.public_url}/api/v1", timeout=30) as api:
        assert api.post("/auth/register", json=body).status_code == 201
        auth = {"Authorization": f"Bearer {api.post('/auth/token', json=body).json()['access']}"}
        order = api.post(
            "/orders", headers=auth, json={"lines": [{"sku": "SEAM-MUG", "quantity": 1}]}
        )
        assert order.status_code == 201, order.text
        paid = api.post(
            "/payments",
            headers={**auth, "Idempotency-Key": str(uuid.uuid4())},
            json={"order_id": order.json()["id"], "payment_token": "tok_success"},
        )
    assert paid.status_code == 201, paid.text
    assert paid.json()["status"] == "captured"
    return paid.json()["id"], auth


def payment_status(payments: Node, payment_id: str, auth: dict[str, str]) -> str:
    answer = httpx.get(f"{payments.url}/api/v1/payments/{payment_id}", headers=auth, timeout=30)
    assert answer.status_code == 200, answer.text
    return str(answer.json()["status"])


def csrf_of(page: httpx.Response) -> str:
    found = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
    assert found, page.text[:500]
    return found.group(1)


@contextlib.contextmanager
def admin_of(service: Node, email: str, password: str = PASSWORD) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=service.url, timeout=30) as browser:
        login = browser.get("/admin/login/")
        signed_in = browser.post(
            "/admin/login/",
            data={
                "username": email,
                "password": password,
                "csrfmiddlewaretoken": csrf_of(login),
                "next": "/admin/",
            },
        )
        assert signed_in.status_code == 302, signed_in.text[:2000]
        yield browser


def refund_from_the_admin(browser: httpx.Client, payment_id: str) -> httpx.Response:
    changelist = browser.get("/admin/payments/payment/")
    return browser.post(
        "/admin/payments/payment/",
        data={
            "action": "refund_selected",
            "_selected_action": [payment_id],
            "csrfmiddlewaretoken": csrf_of(changelist),
            "index": "0",
        },
    )


def test_staff_with_view_payment_open_the_payments_admin_and_cannot_refund(split, captured_payment):
    stack, monolith, payments = split
    payment_id, customer = captured_payment
    grant(stack, monolith, "viewer@seams.example", "payments.view_payment")
    # when
    with admin_of(payments, "viewer@seams.example") as browser:
        changelist = browser.get("/admin/payments/payment/")
        refused = refund_from_the_admin(browser, payment_id)
    # then
    assert changelist.status_code == 200
    assert payment_id in changelist.text
    assert "refund_selected" not in changelist.text
    assert refused.status_code in (200, 302)
    assert payment_status(payments, payment_id, customer) == "captured"


def test_staff_with_change_payment_refund_from_the_payments_admin(split, captured_payment):
    stack, monolith, payments = split
    payment_id, customer = captured_payment
    grant(
        stack, monolith, "refunds@seams.example", "payments.view_payment", "payments.change_payment"
    )
    # when
    with admin_of(payments, "refunds@seams.example") as browser:
        assert "refund_selected" in browser.get("/admin/payments/payment/").text
        refunded = refund_from_the_admin(browser, payment_id)
    # then
    assert refunded.status_code == 302
    assert payment_status(payments, payment_id, customer) == "refunded"


def test_the_payments_service_keeps_only_shadows_and_never_a_password(split):
    stack, monolith, payments = split
    grant(stack, monolith, "shadowed@seams.example", "payments.view_payment")
    with admin_of(payments, "shadowed@seams.example"):
        pass
    tables = {row[0] for row in query(payments, "SELECT tablename FROM pg_tables")}
    assert not {t for t in tables if t.startswith(("users_", "orders_"))}
    [(password, is_staff)] = query(
        payments,
        "SELECT password, is_staff FROM identity_staffuser WHERE email = 'shadowed@seams.example'",
    )
    assert password.startswith("!") and is_staff is True
    [(account_id,)] = query(
        monolith, "SELECT id FROM users_user WHERE email = 'shadowed@seams.example'"
    )
    [(shadow_id,)] = query(
        payments,
        "SELECT id FROM identity_staffuser WHERE email = 'shadowed@seams.example'",
    )
    assert shadow_id == account_id


def test_a_wrong_password_is_refused_by_the_payments_admin(split):
    stack, monolith, payments = split
    grant(stack, monolith, "typo@seams.example", "payments.view_payment")
    with httpx.Client(base_url=payments.url, timeout=30) as browser:
        login = browser.get("/admin/login/")
        answer = browser.post(
            "/admin/login/",
            data={
                "username": "typo@seams.example",
                "password": "not the password",
                "csrfmiddlewaretoken": csrf_of(login),
            },
        )
    assert answer.status_code == 200
    assert "Please enter the correct email" in answer.text
