"""The admin of an extracted service, for real: payments runs on its own, users elsewhere.

Two gunicorn processes on loopback, each with its own fresh PostgreSQL database:
the monolith without payments (users and orders) and the payments service. Staff
accounts exist only in the users database; they sign in to the payments admin
with their one password, through ``UsersService.authenticate_staff`` over the
signed RPC endpoint, and get exactly the permissions granted in the users app:
``payments.view_payment`` opens the payments admin but cannot refund,
``payments.change_payment`` refunds. The payments database never has a users
table.
"""

from __future__ import annotations

import contextlib
import os
import re
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import psycopg2
import pytest
from django.conf import settings

from tests.services_plugin import SERVICES

pytestmark = [pytest.mark.postgres, pytest.mark.rabbitmq]

ROOT = Path(__file__).resolve().parents[3]
PASSWORD = "split admin passphrase 1842"
CUSTOMER_PASSWORD = "a long and unusual passphrase 42"


def _port_base() -> int:
    """Two ports of this suite's range (8700-8799) per xdist worker."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "gw0")
    return 8760 + 2 * int(worker.removeprefix("gw"))


def _server() -> dict[str, str]:
    db = settings.DATABASES["default"]
    return {
        "host": db["HOST"] or "127.0.0.1",
        "port": str(db["PORT"] or 5432),
        "user": db["USER"] or "postgres",
        "password": db["PASSWORD"] or "",
    }


def _sql(dbname: str, sql: str) -> list[tuple]:
    connection = psycopg2.connect(dbname=dbname, **_server())
    connection.autocommit = True
    try:
        with connection.cursor() as cursor:
            cursor.execute(sql)
            return cursor.fetchall() if cursor.description else []
    finally:
        connection.close()


class Service:
    """One Seams process: its own database, migrated, then served by gunicorn (gthread)."""

    def __init__(self, name: str, apps: str, port: int, urls: str, log_dir: Path) -> None:
        self.database = f"{settings.DATABASES['default']['NAME']}_split_{name}"
        self.port = port
        self.url = f"http://127.0.0.1:{port}"
        server = _server()
        self.env = {
            **{
                k: v
                for k, v in os.environ.items()
                if not k.startswith(("SEAMS_", "DJANGO_", "CELERY_")) and k != "DATABASE_URL"
            },
            "PYTHONPATH": str(ROOT),
            "DATABASE_URL": (
                f"postgres://{server['user']}@{server['host']}:{server['port']}/{self.database}"
            ),
            "SEAMS_SERVICES": apps,
            "SEAMS_SERVICE_URLS": urls,
            "SEAMS_RPC_KEYS": "split-admin-rpc-key",
            "SEAMS_EVENTS_PREFIX": f"test-split-admin-{uuid.uuid4().hex[:8]}",
            "CELERY_BROKER_URL": SERVICES.rabbitmq or "",
            "SECRET_KEY": "split-admin-secret-key",
            "JWT_SIGNING_KEY": "split-admin-jwt-key",
            "SESSION_COOKIE_SECURE": "0",
            "CSRF_COOKIE_SECURE": "0",
            "LOG_LEVEL": "WARNING",
            "OPS_PASSWORD": PASSWORD,
        }
        self.log = log_dir / f"{name}.log"
        self.process: subprocess.Popen[bytes] | None = None

    def manage(self, *args: str) -> str:
        done = subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=ROOT,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=180,
            check=False,
        )
        assert done.returncode == 0, f"manage.py {args[0]}: {done.stderr}"
        return done.stdout

    def start(self) -> None:
        _sql("postgres", f'DROP DATABASE IF EXISTS "{self.database}" WITH (FORCE)')
        _sql("postgres", f'CREATE DATABASE "{self.database}"')
        self.manage("migrate", "--noinput", "-v", "0")
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "project.wsgi",
                "-b",
                f"127.0.0.1:{self.port}",
                "-k",
                "gthread",
                "--threads",
                "4",
                "-w",
                "1",
                "--no-control-socket",
                "--graceful-timeout",
                "2",
            ],
            cwd=ROOT,
            env=self.env,
            stdout=self.log.open("wb"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.url} exited:\n{self.log.read_text()[-3000:]}")
            with (
                contextlib.suppress(OSError),
                socket.create_connection(("127.0.0.1", self.port), timeout=0.5),
            ):
                return
            time.sleep(0.1)
        raise RuntimeError(f"{self.url} did not listen in time:\n{self.log.read_text()[-3000:]}")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=10)
        _sql("postgres", f'DROP DATABASE IF EXISTS "{self.database}" WITH (FORCE)')


@pytest.fixture(scope="module")
def split(tmp_path_factory) -> Iterator[tuple[Service, Service]]:
    logs = tmp_path_factory.mktemp("split-admin")
    base = _port_base()
    monolith_url, payments_url = f"http://127.0.0.1:{base}", f"http://127.0.0.1:{base + 1}"
    monolith = Service("monolith", "users,orders", base, f"payments={payments_url}", logs)
    payments = Service(
        "payments", "payments", base + 1, f"users={monolith_url},orders={monolith_url}", logs
    )
    try:
        for service in (monolith, payments):
            service.start()
        yield monolith, payments
    finally:
        for service in (payments, monolith):
            service.stop()


def grant(monolith: Service, email: str, *labels: str) -> None:
    """A staff account made and granted where accounts live (the users app's process)."""
    monolith.manage("create_staff", "--email", email, "--password-env", "OPS_PASSWORD")
    codenames = [label.split(".")[1] for label in labels]
    monolith.manage(
        "shell",
        "-c",
        "from django.contrib.auth.models import Permission\n"
        "from apps.users.models import User\n"
        f"User.objects.get(email={email!r}).user_permissions.set(Permission.objects.filter("
        f"content_type__app_label='payments', codename__in={codenames!r}))",
    )


@pytest.fixture(scope="module")
def captured_payment(split) -> tuple[str, dict[str, str]]:
    """A customer's order placed in the monolith and paid through the payments service."""
    monolith, payments = split
    monolith.manage(
        "shell",
        "-c",
        "from decimal import Decimal\n"
        "from apps.orders.models import Product\n"
        "Product.objects.create(sku='SPLIT-MUG', name='Mug', price=Decimal('12.50'),"
        " currency='EUR', stock=5, active=True)",
    )
    body = {"email": "buyer@example.com", "password": CUSTOMER_PASSWORD}
    with httpx.Client(base_url=f"{monolith.url}/api/v1", timeout=30) as api:
        assert api.post("/auth/register", json=body).status_code == 201
        auth = {"Authorization": f"Bearer {api.post('/auth/token', json=body).json()['access']}"}
        order = api.post(
            "/orders", headers=auth, json={"lines": [{"sku": "SPLIT-MUG", "quantity": 1}]}
        )
        assert order.status_code == 201, order.text
    with httpx.Client(base_url=f"{payments.url}/api/v1", timeout=30) as api:
        paid = api.post(
            "/payments",
            headers={**auth, "Idempotency-Key": str(uuid.uuid4())},
            json={"order_id": order.json()["id"], "payment_token": "tok_success"},
        )
    assert paid.status_code == 201, paid.text
    assert paid.json()["status"] == "captured"
    return paid.json()["id"], auth


def payment_status(payments: Service, payment_id: str, auth: dict[str, str]) -> str:
    answer = httpx.get(f"{payments.url}/api/v1/payments/{payment_id}", headers=auth, timeout=30)
    assert answer.status_code == 200, answer.text
    return str(answer.json()["status"])


def csrf_of(page: httpx.Response) -> str:
    found = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
    assert found, page.text[:500]
    return found.group(1)


@contextlib.contextmanager
def admin_of(service: Service, email: str, password: str = PASSWORD) -> Iterator[httpx.Client]:
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
    monolith, payments = split
    payment_id, customer = captured_payment
    grant(monolith, "viewer@seams.example", "payments.view_payment")
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
    monolith, payments = split
    payment_id, customer = captured_payment
    grant(monolith, "refunds@seams.example", "payments.view_payment", "payments.change_payment")
    # when
    with admin_of(payments, "refunds@seams.example") as browser:
        assert "refund_selected" in browser.get("/admin/payments/payment/").text
        refunded = refund_from_the_admin(browser, payment_id)
    # then
    assert refunded.status_code == 302
    assert payment_status(payments, payment_id, customer) == "refunded"


def test_the_payments_service_keeps_only_shadows_and_never_a_password(split):
    monolith, payments = split
    grant(monolith, "shadowed@seams.example", "payments.view_payment")
    with admin_of(payments, "shadowed@seams.example"):
        pass
    tables = {row[0] for row in _sql(payments.database, "SELECT tablename FROM pg_tables")}
    assert not {t for t in tables if t.startswith(("users_", "orders_"))}
    [(password, is_staff)] = _sql(
        payments.database,
        "SELECT password, is_staff FROM identity_staffuser WHERE email = 'shadowed@seams.example'",
    )
    assert password.startswith("!") and is_staff is True
    [(account_id,)] = _sql(
        monolith.database, "SELECT id FROM users_user WHERE email = 'shadowed@seams.example'"
    )
    [(shadow_id,)] = _sql(
        payments.database,
        "SELECT id FROM identity_staffuser WHERE email = 'shadowed@seams.example'",
    )
    assert shadow_id == account_id


def test_a_wrong_password_is_refused_by_the_payments_admin(split):
    monolith, payments = split
    grant(monolith, "typo@seams.example", "payments.view_payment")
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
