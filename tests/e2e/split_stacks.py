"""Split deployments for the end-to-end tests, built the way ``make split`` builds them.

``extraction.launch`` plans the deployment (``make split``'s code path), creates,
migrates and seeds fresh databases named after this test worker, and starts every
process from ``deploy/processes/Procfile.split`` (or ``Procfile`` for the monolith
in broker mode). What the tests read afterwards comes from the nodes' own
databases, over plain psycopg2.
"""

from __future__ import annotations

import collections
import contextlib
import os
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import psycopg2

from extraction.launch.local import Node
from extraction.launch.stack import Stack, close_stack, loopback_stack
from tests.services_plugin import SERVICES

# Knobs of the processes under test: faster sign-in hashing and retries, the
# consumer's breakers short enough to see them close again within a test.
TEST_ENV = {
    "PASSWORD_HASHERS": "django.contrib.auth.hashers.MD5PasswordHasher",
    "SEAMS_OUTBOX_RETRY_BASE_SECONDS": "0.2",
    "SEAMS_OUTBOX_RETRY_MAX_SECONDS": "2",
    "SEAMS_RELAY_RECONNECT_MAX_SECONDS": "1",
    "SEAMS_RPC_BREAKER_RESET_SECONDS": "2",
    "LOG_LEVEL": "INFO",
}


def database_base() -> str:
    url = os.environ.get("DATABASE_URL") or SERVICES.database
    parts = urlsplit(url)
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    name = f"{parts.path.lstrip('/')}_e2e_{worker}"
    return parts._replace(path=f"/{name}").geturl()


@contextlib.contextmanager
def running_stack(
    extract: str | None, logs: Path, *, start: bool = True, **extra_env: str
) -> Iterator[Stack]:
    """A fresh deployment with ``extract`` as its own service, stopped and removed after."""
    assert SERVICES.rabbitmq and SERVICES.redis
    stack = loopback_stack(
        extract=extract,
        database_url=database_base(),
        broker_url=SERVICES.rabbitmq,
        cache_url=SERVICES.redis,
        logs=logs,
        extra_env={**TEST_ENV, **extra_env},
    )
    try:
        if start:
            stack.start()
            stack.wait_healthy()
        yield stack
    except BaseException:
        print(stack.logs_text())
        raise
    finally:
        close_stack(stack)


def query(node: Node, sql: str) -> list[tuple[Any, ...]]:
    conn = psycopg2.connect(node.database_url)
    try:
        with conn.cursor() as cur:
            cur.execute(sql)
            return list(cur.fetchall())
    finally:
        conn.close()


def owner(stack: Stack, app: str) -> Node:
    return next(n for n in stack.deployment.nodes if app in n.services)


def events(stack: Stack) -> dict[str, Any]:
    """Events emitted (outbox, by name and status) and handled (inbox, by handler), all nodes."""
    emitted: collections.Counter[str] = collections.Counter()
    handled: collections.Counter[str] = collections.Counter()
    failures = 0
    for node in stack.deployment.nodes:
        for name, status, count in query(
            node, "SELECT name, status, count(*) FROM extraction_outboxevent GROUP BY 1, 2"
        ):
            emitted[f"{name} {status}"] += count
        for handler, count in query(
            node, "SELECT handler, count(*) FROM extraction_inboxentry GROUP BY 1"
        ):
            handled[handler] += count
        failures += query(node, "SELECT count(*) FROM extraction_deliveryfailure")[0][0]
    return {"emitted": dict(emitted), "handled": dict(handled), "delivery failures": failures}


def settled_events(stack: Stack, *, timeout: float = 60) -> dict[str, Any]:
    """``events()`` once every outbox row is published and the inboxes stopped growing."""
    deadline = time.monotonic() + timeout
    previous: dict[str, Any] | None = None
    while True:
        current = events(stack)
        pending = any(not key.endswith(" published") for key in current["emitted"])
        if not pending and current == previous:
            return current
        if time.monotonic() > deadline:
            raise AssertionError(f"events did not settle within {timeout}s: {current}")
        previous = current
        time.sleep(1.0)
