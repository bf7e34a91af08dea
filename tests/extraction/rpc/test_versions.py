"""Contract versions across a rolling deploy, against a live provider."""

from __future__ import annotations

import json
import uuid

import pytest

from contracts.errors import IncompatibleContractVersion
from contracts.snapshot import SNAPSHOT
from contracts.users import UserNotFound, UsersService
from extraction.rpc import versions
from extraction.rpc.client import remote_adapter
from tests.contracts.live import KEY

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]

MISSING = uuid.UUID("00000000-0000-4000-8000-000000000001")


def built_against(snapshot: dict) -> dict[str, str]:
    return {key: versions.digest(shape) for key, shape in snapshot["methods"].items()}


@pytest.fixture
def remote_users(live_provider, settings) -> UsersService:
    settings.SEAMS_RPC_KEYS = [KEY]
    return remote_adapter(UsersService, base_url=live_provider.url)()


def test_each_method_has_the_version_of_its_committed_shape():
    recorded = json.loads(SNAPSHOT.read_text())
    assert versions.version_of("UsersService", "get_user") == versions.digest(
        recorded["methods"]["UsersService.get_user"]
    )
    assert versions.version_of("UsersService", "get_user") != versions.version_of(
        "UsersService", "get_users"
    )


def test_a_caller_built_against_another_shape_of_the_method_is_refused(remote_users, monkeypatch):
    # given: a caller whose snapshot records get_user with another parameter
    older = json.loads(SNAPSHOT.read_text())
    older["methods"]["UsersService.get_user"]["parameters"] = {"email": {"type": "string"}}
    monkeypatch.setattr(versions, "method_versions", lambda: built_against(older))
    # when / then
    with pytest.raises(IncompatibleContractVersion) as raised:
        remote_users.get_user(user_id=MISSING)
    assert raised.value.http_status == 409
    assert raised.value.details["method"] == "UsersService.get_user"


def test_a_caller_whose_contract_differs_only_elsewhere_is_accepted(remote_users, monkeypatch):
    # given: a caller built before a method was added and another one changed
    older = json.loads(SNAPSHOT.read_text())
    older["methods"].pop("UsersService.get_users")
    older["methods"]["UsersService.get_user_v0"] = {"parameters": {}, "returns": {}}
    older["events"] = {}
    monkeypatch.setattr(versions, "method_versions", lambda: built_against(older))
    # when / then: the call reaches the provider, which answers it
    with pytest.raises(UserNotFound):
        remote_users.get_user(user_id=MISSING)
