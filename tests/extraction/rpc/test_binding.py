"""Contracts are bound once, at startup, from SEAMS_SERVICES and SEAMS_SERVICE_URLS."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from apps.orders.provider import OrdersProvider
from apps.payments.provider import PaymentsProvider
from apps.users.provider import UsersProvider
from contracts import get
from contracts.orders import OrdersService
from contracts.payments import PaymentsService
from contracts.services import registry
from contracts.users import UsersService

ROOT = Path(__file__).resolve().parents[3]
# A split process needs a broker (seams.E010); check does not connect to it.
BROKER = "amqp://guest:guest@127.0.0.1:5672//"
SHOW = (
    "from contracts.services import declared_contracts, registry;"
    "print(*sorted(f'{c.__name__}={registry.factory(c).__name__}' for c in declared_contracts()"
    " if registry.has(c)))"
)


def run(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**os.environ, "SEAMS_RPC_KEYS": "k", **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.mark.parametrize(
    ("contract", "provider"),
    [
        (UsersService, UsersProvider),
        (OrdersService, OrdersProvider),
        (PaymentsService, PaymentsProvider),
    ],
)
def test_the_monolith_binds_every_contract_to_its_local_provider(contract, provider):
    bound = registry.factory(contract)
    assert bound is not None and issubclass(bound, provider)
    assert bound.provider is provider
    assert isinstance(get(contract), contract)


def test_a_process_binds_remote_adapters_for_the_apps_that_run_elsewhere():
    urls = "users=http://users.internal:8000,payments=http://payments.internal:8000"
    result = run("shell", "-c", SHOW, SEAMS_SERVICES="orders", SEAMS_SERVICE_URLS=urls)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[-3:] == [
        "OrdersService=OrdersProvider",
        "PaymentsService=RemotePaymentsService",
        "UsersService=RemoteUsersService",
    ]
    check = run("check", SEAMS_SERVICES="orders", SEAMS_SERVICE_URLS=urls, CELERY_BROKER_URL=BROKER)
    assert check.returncode == 0, check.stderr


def test_the_binding_does_not_depend_on_the_order_of_the_apps():
    first = run("shell", "-c", SHOW, SEAMS_SERVICES="users,orders,payments")
    second = run("shell", "-c", SHOW, SEAMS_SERVICES="payments,orders,users")
    assert first.returncode == second.returncode == 0, first.stderr + second.stderr
    assert (
        first.stdout.split()[-3:]
        == second.stdout.split()[-3:]
        == [
            "OrdersService=OrdersProvider",
            "PaymentsService=PaymentsProvider",
            "UsersService=UsersProvider",
        ]
    )


def test_a_used_contract_neither_local_nor_reachable_fails_the_check_naming_both_settings():
    result = run("check", SEAMS_SERVICES="orders", SEAMS_SERVICE_URLS="users=http://users:8000")
    assert result.returncode != 0
    assert "seams.E001" in result.stderr
    assert "app 'orders' uses PaymentsService, which has no provider" in result.stderr
    assert "UsersService" not in result.stderr
    assert "SEAMS_SERVICES" in result.stderr and "SEAMS_SERVICE_URLS" in result.stderr


@pytest.mark.parametrize(
    ("urls", "why"),
    [
        ("orders=http://x:8000", "apps of this process (orders)"),
        ("stock=http://x:8000", "unknown apps"),
    ],
)
def test_a_url_for_a_local_or_unknown_app_refuses_to_start(urls, why):
    result = run("check", SEAMS_SERVICES="orders,users", SEAMS_SERVICE_URLS=urls)
    assert result.returncode != 0
    assert why in result.stderr


def test_remote_services_without_rpc_keys_refuse_to_start():
    result = run(
        "check",
        SEAMS_SERVICES="users",
        SEAMS_SERVICE_URLS="orders=http://x:8000",
        SEAMS_RPC_KEYS="",
    )
    assert result.returncode != 0
    assert "SEAMS_RPC_KEYS" in result.stderr
