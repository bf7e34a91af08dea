"""Contracts: well-formed, implemented exactly by their providers, resolved at startup."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from uuid import UUID

import pytest

from contracts.orders import OrdersService
from contracts.payments import PaymentsService
from contracts.services import (
    ContractDefinitionError,
    Service,
    contract_methods,
    registry,
    signature_mismatches,
)
from contracts.users import UserDTO, UsersService

ROOT = Path(__file__).resolve().parents[2]
CONTRACTS = (UsersService, OrdersService, PaymentsService)


@pytest.mark.parametrize("contract", CONTRACTS, ids=lambda c: c.__name__)
def test_every_provider_implements_every_method_with_the_same_signature(contract):
    provider = type(registry.get(contract))
    assert provider is not contract
    assert list(contract_methods(contract)), f"{contract.__name__} declares no method"
    assert signature_mismatches(contract, provider) == []


def test_a_provider_with_a_missing_or_different_method_is_refused():
    # given: a provider that forgets get_users and renames an argument of get_user
    class SloppyProvider(UsersService):
        def get_user(self, *, id: UUID) -> UserDTO:
            raise AssertionError

    # when
    problems = signature_mismatches(UsersService, SloppyProvider)
    # then
    assert any("does not implement get_users()" in p for p in problems)
    assert any("get_user" in p and "differs" in p for p in problems)
    with pytest.raises(ContractDefinitionError):
        registry.provide(UsersService, SloppyProvider, replace=True)
    assert type(registry.get(UsersService)).__name__ == "UsersProvider"


def test_a_contract_method_must_be_keyword_only_and_annotated():
    with pytest.raises(ContractDefinitionError, match="keyword-only"):

        class Positional(Service):
            owner = "users"

            def find(self, user_id: UUID) -> None: ...

    with pytest.raises(ContractDefinitionError, match="no annotation"):

        class Unannotated(Service):
            owner = "users"

            def find(self, *, user_id) -> None: ...  # type: ignore[no-untyped-def]


def manage_py_check(**env: str) -> subprocess.CompletedProcess[str]:
    import os

    return subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_the_monolith_passes_manage_py_check():
    result = manage_py_check()
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


def test_an_installed_app_using_a_contract_with_no_provider_fails_manage_py_check():
    # given: orders runs alone, so UsersService and PaymentsService have no provider
    result = manage_py_check(SEAMS_SERVICES="orders")
    # then
    assert result.returncode != 0
    assert "seams.E001" in result.stderr
    assert "app 'orders' uses UsersService, which has no provider" in result.stderr
    assert "app 'orders' uses PaymentsService, which has no provider" in result.stderr


def test_an_app_whose_contracts_are_all_provided_passes_alone():
    # users calls no other contract, so it can run on its own already (with the
    # broker that any split deployment needs; the check does not connect to it)
    result = manage_py_check(SEAMS_SERVICES="users", CELERY_BROKER_URL="amqp://127.0.0.1:5672//")
    assert result.returncode == 0, result.stderr
