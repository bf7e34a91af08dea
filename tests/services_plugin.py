"""Pytest plugin that finds the real services the suite runs against.

Loaded with ``-p tests.services_plugin`` (see pyproject.toml), before Django's
settings are read, so it can point ``DATABASE_URL`` at PostgreSQL when one is
reachable. Tests that need a service absent here are skipped with the reason,
or fail when ``REQUIRE_SERVICES=1``.
"""

from __future__ import annotations

import os
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit

import pytest

POSTGRES_URL = "postgres://postgres@127.0.0.1:5432/seams"
RABBITMQ_URL = "amqp://guest:guest@127.0.0.1:5672//"
REDIS_URL = "redis://127.0.0.1:6379/0"

REQUIRE_SERVICES = os.environ.get("REQUIRE_SERVICES", "") in {"1", "true", "yes"}


def reachable(url: str, timeout: float = 1.0) -> bool:
    parts = urlsplit(url)
    default_ports = {"postgres": 5432, "postgresql": 5432, "amqp": 5672, "redis": 6379}
    port = parts.port or default_ports.get(parts.scheme, 0)
    try:
        with socket.create_connection((parts.hostname or "127.0.0.1", port), timeout=timeout):
            return True
    except OSError:
        return False


@dataclass(frozen=True)
class Services:
    database: str
    rabbitmq: str | None
    redis: str | None


def _discover() -> Services:
    # Tests run with DEBUG off, as production does; they need a key of their own.
    os.environ.setdefault("SECRET_KEY", "tests-only-secret-key-not-for-production")
    os.environ.setdefault("PASSWORD_HASHERS", "django.contrib.auth.hashers.MD5PasswordHasher")
    # The test client, live servers and test subprocesses speak plain HTTP with no
    # proxy in front; production redirects to HTTPS (tests/deploy checks it).
    os.environ.setdefault("SECURE_SSL_REDIRECT", "0")
    database = os.environ.get("DATABASE_URL", "")
    if not database:
        if reachable(POSTGRES_URL):
            database = POSTGRES_URL
            os.environ["DATABASE_URL"] = database
        else:
            database = "sqlite (embedded)"
    rabbit = os.environ.get("TEST_RABBITMQ_URL", RABBITMQ_URL)
    redis = os.environ.get("TEST_REDIS_URL", REDIS_URL)
    return Services(
        database=database,
        rabbitmq=rabbit if reachable(rabbit) else None,
        redis=redis if reachable(redis) else None,
    )


SERVICES = _discover()


def on_postgres() -> bool:
    return SERVICES.database.startswith(("postgres://", "postgresql://"))


def pytest_configure(config: pytest.Config) -> None:
    if REQUIRE_SERVICES:
        missing = [
            name
            for name, ok in (
                ("PostgreSQL", on_postgres()),
                ("RabbitMQ", SERVICES.rabbitmq),
                ("Redis", SERVICES.redis),
            )
            if not ok
        ]
        if missing:
            raise pytest.UsageError(f"REQUIRE_SERVICES=1 but not reachable: {', '.join(missing)}")


def pytest_report_header(config: pytest.Config) -> list[str]:
    safe_db = SERVICES.database.split("@")[-1] if "@" in SERVICES.database else SERVICES.database
    rabbit = f"at {SERVICES.rabbitmq.split('@')[-1]}" if SERVICES.rabbitmq else "not reachable"
    redis = f"at {SERVICES.redis.split('//')[-1]}" if SERVICES.redis else "not reachable"
    return [
        f"seams database: {'PostgreSQL ' + safe_db if on_postgres() else safe_db}",
        f"seams broker: RabbitMQ {rabbit}; Redis {redis}",
        f"seams REQUIRE_SERVICES={'1' if REQUIRE_SERVICES else '0'}",
    ]


def _need(ok: bool, what: str) -> None:
    if ok:
        return
    if REQUIRE_SERVICES:
        pytest.fail(f"{what} is required (REQUIRE_SERVICES=1) but not reachable")
    pytest.skip(f"{what} is not reachable")


def pytest_runtest_setup(item: pytest.Item) -> None:
    if item.get_closest_marker("postgres"):
        _need(on_postgres(), "PostgreSQL")
    if item.get_closest_marker("rabbitmq"):
        _need(SERVICES.rabbitmq is not None, "RabbitMQ")
    if item.get_closest_marker("redis"):
        _need(SERVICES.redis is not None, "Redis")


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    for line in pytest_report_header(terminalreporter.config):
        terminalreporter.write_line(line)
