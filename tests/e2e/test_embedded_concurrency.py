"""The embedded default (SQLite) under concurrent writes: every request succeeds or is a clean 503.

Two gunicorn processes of eight threads each serve one SQLite file; a dozen customers'
orders are placed at once, then paid at once. SQLite has one writer at a time:
a transaction that started as a reader and then writes cannot wait for the lock
and failed at once with ``database is locked`` (a 500). Transactions now take the
write lock when they begin, and wait for it up to the busy timeout.
"""

from __future__ import annotations

import os
import random
import sqlite3
import subprocess
import sys
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

from tests.e2e.test_embedded_run import ROOT, manage

CONCURRENT = 12


def start_gunicorn(env: dict[str, str], log_path: Path) -> tuple[subprocess.Popen, str]:
    """gunicorn on a free port of this suite's range (8200-8299), retried if one is taken.

    Parallel test workers may pick the same free port at once: the loser exits at
    once with "Connection in use" and tries another.
    """
    ports = list(range(8200, 8300))
    random.shuffle(ports)
    for port in ports[:10]:
        log = log_path.open("w")  # a pipe nobody reads would fill up
        server = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "project.wsgi:application",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                "2",
                "--threads",
                "8",
                "--worker-class",
                "gthread",
                "--no-control-socket",
                "--timeout",
                "120",
            ],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=log,
        )
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 90
        while server.poll() is None and time.monotonic() < deadline:
            try:
                if httpx.get(f"{base}/health/", timeout=5).status_code == 200:
                    return server, base
            except httpx.TransportError:
                pass
            time.sleep(0.3)
        server.terminate()
        server.wait(timeout=30)
        if "Connection in use" not in log_path.read_text():
            raise AssertionError(f"gunicorn did not start:\n{log_path.read_text()}")
    raise AssertionError("no free port in 8200-8299")


@pytest.fixture(scope="module")
def sqlite_server(tmp_path_factory):
    # The embedded defaults (tests/e2e/test_embedded_run.py), on a file of this module.
    directory = tmp_path_factory.mktemp("embedded")
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DATABASE_URL", "CELERY_BROKER_URL", "SECRET_KEY", "PASSWORD_HASHERS"}
    }
    path = directory / "seams.sqlite3"
    # A short busy timeout, so the test of a lock held too long stays short.
    env.update(DEBUG="1", DATABASE_URL=f"sqlite:///{path}", SQLITE_BUSY_TIMEOUT_SECONDS="5")
    assert manage(env, "migrate", "--noinput").returncode == 0
    assert manage(env, "seed_demo").returncode == 0
    server, base = start_gunicorn(env, directory / "gunicorn.log")
    try:
        yield base, str(path)
    finally:
        server.terminate()
        server.wait(timeout=30)


def register_and_sign_in(base: str, n: int) -> str:
    email = f"buyer{n}-{uuid.uuid4().hex[:6]}@example.com"
    password = "a long and unusual passphrase"
    signed_up = httpx.post(
        f"{base}/api/v1/auth/register", json={"email": email, "password": password}, timeout=60
    )
    assert signed_up.status_code == 201, signed_up.text
    token = httpx.post(
        f"{base}/api/v1/auth/token", json={"email": email, "password": password}, timeout=60
    )
    return token.json()["access"]


def assert_succeeded_or_busy(responses: list[httpx.Response], created: int) -> int:
    for response in responses:
        assert response.status_code in (created, 503), response.text
        if response.status_code == 503:
            assert response.json()["code"] == "database_busy"
            assert int(response.headers["Retry-After"]) >= 1
    return sum(r.status_code == created for r in responses)


@pytest.mark.timeout(300)
def test_concurrent_orders_and_payments_on_sqlite(sqlite_server):
    # given: a dozen signed-in customers
    base, _ = sqlite_server
    tokens = [register_and_sign_in(base, n) for n in range(CONCURRENT)]
    stock_before = httpx.get(f"{base}/api/v1/products?sku=SEAM-MUG", timeout=30).json()
    stock_before = stock_before["results"][0]["stock"]

    def place(token: str) -> httpx.Response:
        return httpx.post(
            f"{base}/api/v1/orders",
            json={"lines": [{"sku": "SEAM-MUG", "quantity": 1}]},
            headers={"Authorization": f"Bearer {token}"},
            timeout=120,
        )

    def pay(token_and_order: tuple[str, str]) -> httpx.Response:
        token, order_id = token_and_order
        return httpx.post(
            f"{base}/api/v1/payments",
            json={"order_id": order_id, "payment_token": "tok_success"},
            headers={"Authorization": f"Bearer {token}", "Idempotency-Key": str(uuid.uuid4())},
            timeout=120,
        )

    # when: they all order at once, then all pay at once
    with ThreadPoolExecutor(CONCURRENT) as pool:
        placed = list(pool.map(place, tokens))
    placed_count = assert_succeeded_or_busy(placed, 201)
    orders = [
        (t, r.json()["id"]) for t, r in zip(tokens, placed, strict=True) if r.status_code == 201
    ]
    with ThreadPoolExecutor(CONCURRENT) as pool:
        paid = list(pool.map(pay, orders))
    paid_count = assert_succeeded_or_busy(paid, 201)

    # then: nothing failed with a 500, and the shop's books agree with the answers
    stock_after = httpx.get(f"{base}/api/v1/products?sku=SEAM-MUG", timeout=30).json()
    assert stock_before - stock_after["results"][0]["stock"] == placed_count
    statuses = [
        httpx.get(
            f"{base}/api/v1/orders/{order_id}",
            headers={"Authorization": f"Bearer {token}"},
            timeout=30,
        ).json()["status"]
        for token, order_id in orders
    ]
    assert statuses.count("paid") == paid_count
    # Busy answers are the exception under a 20-second busy timeout, not the rule.
    assert placed_count == CONCURRENT and paid_count == CONCURRENT


@pytest.mark.timeout(120)
def test_a_write_lock_held_past_the_busy_timeout_is_a_503(sqlite_server):
    # given: another process holds SQLite's write lock longer than the busy timeout (5 s)
    base, path = sqlite_server
    token = register_and_sign_in(base, 0)
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        # when
        busy = httpx.post(
            f"{base}/api/v1/orders",
            json={"lines": [{"sku": "SEAM-MUG", "quantity": 1}]},
            headers={"Authorization": f"Bearer {token}"},
            timeout=60,
        )
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    # then: a clean 503 to retry, and the retry succeeds
    assert busy.status_code == 503, busy.text
    assert busy.json()["code"] == "database_busy"
    assert set(busy.json()) == {"code", "message", "details"}
    assert int(busy.headers["Retry-After"]) >= 1
    retried = httpx.post(
        f"{base}/api/v1/orders",
        json={"lines": [{"sku": "SEAM-MUG", "quantity": 1}]},
        headers={"Authorization": f"Bearer {token}"},
        timeout=60,
    )
    assert retried.status_code == 201, retried.text
