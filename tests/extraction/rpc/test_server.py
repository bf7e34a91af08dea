"""The internal RPC endpoint's answers: authentication, routing, arguments, errors."""

from __future__ import annotations

import json
import time
import uuid

import pytest

from contracts.services import registry
from contracts.users import UserDTO, UsersService
from extraction import correlation
from extraction.rpc import identity, signing
from extraction.rpc.local import local_adapter
from extraction.rpc.observers import CallRecord, call_finished
from tests.extraction.rpc.conftest import KEY, signed_headers
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def assert_error(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == {"code", "message", "details"}
    assert body["code"] == code
    assert body["message"]
    return body


def test_a_signed_call_is_answered_with_the_encoded_result(rpc):
    user = UserFactory()
    response = rpc.post("UsersService", "get_user", {"user_id": str(user.id)})
    assert response.status_code == 200, response.content
    assert response.json()["id"] == str(user.id)
    assert response.json()["email"] == user.email


def test_an_unsigned_call_is_401(rpc):
    response = rpc.post("UsersService", "get_user", {"user_id": str(uuid.uuid4())}, headers={})
    assert_error(response, 401, "rpc.unauthenticated")


def test_a_call_signed_with_an_unknown_key_is_401(rpc):
    response = rpc.post("UsersService", "get_user", {"user_id": str(uuid.uuid4())}, key="guess")
    assert_error(response, 401, "rpc.bad_signature")


def test_a_body_changed_after_signing_is_401(rpc):
    path = "/internal/rpc/UsersService/get_user"
    headers = signed_headers(path, json.dumps({"user_id": str(uuid.uuid4())}).encode())
    tampered = json.dumps({"user_id": str(uuid.uuid4())}).encode()
    response = rpc.post("UsersService", "get_user", body=tampered, headers=headers)
    assert_error(response, 401, "rpc.bad_signature")


def test_a_signed_header_changed_in_flight_is_401(rpc):
    path = "/internal/rpc/UsersService/get_user"
    body = json.dumps({"user_id": str(uuid.uuid4())}).encode()
    customer = identity.EndUser(id="1", email="c@example.com", is_staff=False)
    headers = signed_headers(path, body, extra={identity.HEADER: customer.to_header()})
    staff = identity.EndUser(id="1", email="c@example.com", is_staff=True)
    headers[identity.HEADER] = staff.to_header()
    response = rpc.post("UsersService", "get_user", body=body, headers=headers)
    assert_error(response, 401, "rpc.bad_signature")


def test_a_call_outside_the_time_window_is_401(rpc, settings):
    settings.SEAMS_RPC_SIGNATURE_WINDOW_SECONDS = 30
    for skew in (-31, 31):
        response = rpc.post(
            "UsersService", "get_user", {"user_id": str(uuid.uuid4())}, now=time.time() + skew
        )
        assert_error(response, 401, "rpc.expired")


def test_a_replayed_call_is_401(rpc):
    user = UserFactory()
    path = "/internal/rpc/UsersService/get_user"
    body = json.dumps({"user_id": str(user.id)}).encode()
    headers = signed_headers(path, body)
    assert rpc.post("UsersService", "get_user", body=body, headers=headers).status_code == 200
    replayed = rpc.post("UsersService", "get_user", body=body, headers=headers)
    assert_error(replayed, 401, "rpc.replayed")


def test_the_replay_store_in_a_redis_cache_is_shared(rpc, settings):
    redis = pytest.importorskip("redis")
    from tests.services_plugin import SERVICES

    if SERVICES.redis is None:
        pytest.skip("Redis is not reachable")
    prefix = f"test:rpc:{uuid.uuid4().hex}"
    shared = {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": SERVICES.redis,
        "KEY_PREFIX": prefix,
    }
    settings.CACHES = {"default": dict(shared)}
    user = UserFactory()
    path = "/internal/rpc/UsersService/get_user"
    body = json.dumps({"user_id": str(user.id)}).encode()
    headers = signed_headers(path, body)
    client = redis.Redis.from_url(SERVICES.redis)
    try:
        assert rpc.post("UsersService", "get_user", body=body, headers=headers).status_code == 200
        # the nonce is in Redis, not in this process
        assert client.keys(f"{prefix}*{headers[signing.NONCE]}")
        # another worker process: a new cache client, the same Redis
        settings.CACHES = {"default": dict(shared)}
        assert_error(
            rpc.post("UsersService", "get_user", body=body, headers=headers), 401, "rpc.replayed"
        )
    finally:
        keys = client.keys(f"{prefix}*")
        if keys:
            client.delete(*keys)


def test_a_rotated_key_is_accepted_while_listed_and_refused_once_removed(rpc, settings):
    user = UserFactory()
    # given: the new key signs, the old one is still listed
    settings.SEAMS_RPC_KEYS = ["new-key", KEY]
    # then: a caller that still signs with the old key is accepted
    response = rpc.post("UsersService", "get_user", {"user_id": str(user.id)}, key=KEY)
    assert response.status_code == 200, response.content
    assert (
        rpc.post("UsersService", "get_user", {"user_id": str(user.id)}, key="new-key").status_code
        == 200
    )
    # when: the old key is removed
    settings.SEAMS_RPC_KEYS = ["new-key"]
    # then
    response = rpc.post("UsersService", "get_user", {"user_id": str(user.id)}, key=KEY)
    assert_error(response, 401, "rpc.bad_signature")


def test_an_unknown_contract_or_method_is_404(rpc):
    body = {"user_id": str(uuid.uuid4())}
    assert_error(rpc.post("NoSuchService", "get_user", body), 404, "rpc.unknown_contract")
    assert_error(rpc.post("UsersService", "delete_everything", body), 404, "rpc.unknown_method")
    assert_error(rpc.post("UsersService", "_validate", body), 404, "rpc.unknown_method")


@pytest.mark.parametrize(
    ("body", "location"),
    [
        (b'{"user_id": "not-a-uuid"}', ["user_id"]),
        (b"{}", ["user_id"]),
        (b'{"user_id": "6b1b3c1e-8f8e-4d6a-9f3e-5ea1c0de5ea1", "extra": 1}', ["extra"]),
        (b"not json", []),
    ],
)
def test_invalid_arguments_are_422_with_details(rpc, body, location):
    response = rpc.post("UsersService", "get_user", body=body)
    details = assert_error(response, 422, "rpc.invalid_arguments")["details"]
    assert details["errors"]
    if location:
        assert details["errors"][0]["loc"] == location
    assert "input" not in details["errors"][0]


def test_a_contract_error_keeps_its_status_code_and_details(rpc):
    missing = uuid.uuid4()
    response = rpc.post("UsersService", "get_user", {"user_id": str(missing)})
    body = assert_error(response, 404, "users.user_not_found")
    assert body["details"] == {"user_id": str(missing)}
    assert response["Seams-Answer"] == "contract-error"


class ExplodingUsers(UsersService):
    def get_user(self, *, user_id: uuid.UUID) -> UserDTO:
        raise RuntimeError("password=hunter2 in /srv/secret/path")

    def get_users(self, *, user_ids: tuple[uuid.UUID, ...]) -> tuple[UserDTO, ...]:
        raise AssertionError


@pytest.fixture
def exploding_users():
    bound = registry.factory(UsersService)
    registry.provide(UsersService, local_adapter(UsersService, ExplodingUsers), replace=True)
    yield
    registry.provide(UsersService, bound, replace=True)


def test_an_unexpected_failure_is_500_with_the_correlation_id_and_no_internals(
    rpc, exploding_users, caplog
):
    response = rpc.post(
        "UsersService",
        "get_user",
        {"user_id": str(uuid.uuid4())},
        extra={correlation.HEADER: "corr-123"},
    )
    body = assert_error(response, 500, "rpc.internal_error")
    assert body["details"] == {"correlation_id": "corr-123"}
    assert b"hunter2" not in response.content and b"secret" not in response.content
    assert "hunter2" in caplog.text  # the provider's log has it


def test_without_a_correlation_id_the_500_and_its_header_carry_the_same_new_one(
    rpc, exploding_users
):
    response = rpc.post("UsersService", "get_user", {"user_id": str(uuid.uuid4())})
    body = assert_error(response, 500, "rpc.internal_error")
    assert len(body["details"]["correlation_id"]) == 32
    assert body["details"]["correlation_id"] == response[correlation.HEADER]


class EchoUsers(UsersService):
    """Answers with what the call carried: the end user and the correlation id."""

    def get_user(self, *, user_id: uuid.UUID) -> UserDTO:
        user = identity.end_user()
        assert user is not None
        return UserDTO(
            id=user_id,
            email=f"{user.email}|{','.join(user.permissions)}|{correlation.get()}",
            full_name=user.id,
            is_active=True,
            is_staff=user.is_staff,
            date_joined=UserFactory.build().date_joined,
        )

    def get_users(self, *, user_ids: tuple[uuid.UUID, ...]) -> tuple[UserDTO, ...]:
        raise AssertionError


def test_the_end_user_and_the_correlation_id_reach_the_provider(rpc):
    bound = registry.factory(UsersService)
    registry.provide(UsersService, local_adapter(UsersService, EchoUsers), replace=True)
    staff = identity.EndUser(
        id="42", email="staff@example.com", is_staff=True, permissions=("orders.change_order",)
    )
    try:
        response = rpc.post(
            "UsersService",
            "get_user",
            {"user_id": str(uuid.uuid4())},
            extra={identity.HEADER: staff.to_header(), correlation.HEADER: "corr-7"},
        )
    finally:
        registry.provide(UsersService, bound, replace=True)
    assert response.status_code == 200, response.content
    assert response.json()["email"] == "staff@example.com|orders.change_order|corr-7"
    assert response.json()["full_name"] == "42"
    assert response.json()["is_staff"] is True
    assert response[correlation.HEADER] == "corr-7"


class NestingUsers(EchoUsers):
    """Serves ``get_users`` with a contract call per user, as a provider may."""

    def get_users(self, *, user_ids: tuple[uuid.UUID, ...]) -> tuple[UserDTO, ...]:
        users = registry.get(UsersService)
        return tuple(users.get_user(user_id=user_id) for user_id in user_ids)


def test_a_served_call_is_recorded_once_as_served_and_the_calls_it_makes_as_their_own(
    rpc, settings
):
    settings.SEAMS_CONTRACT_CODEC = False
    records: list[CallRecord] = []

    def observe(sender, record: CallRecord, **kwargs) -> None:
        records.append(record)

    bound = registry.factory(UsersService)
    registry.provide(UsersService, local_adapter(UsersService, NestingUsers), replace=True)
    call_finished.connect(observe, weak=False)
    staff = identity.EndUser(id="42", email="staff@example.com", is_staff=True)
    try:
        response = rpc.post(
            "UsersService",
            "get_users",
            {"user_ids": [str(uuid.uuid4()), str(uuid.uuid4())]},
            extra={identity.HEADER: staff.to_header(), correlation.HEADER: "corr-9"},
        )
    finally:
        call_finished.disconnect(observe)
        registry.provide(UsersService, bound, replace=True)
    assert response.status_code == 200, response.content
    assert [(r.method, r.transport, r.outcome, r.correlation_id) for r in records] == [
        ("get_user", "direct", "ok", "corr-9"),
        ("get_user", "direct", "ok", "corr-9"),
        ("get_users", "served", "ok", "corr-9"),
    ]


def test_a_call_from_another_shape_of_the_method_is_refused_with_409(rpc):
    response = rpc.post(
        "UsersService", "get_user", {"user_id": str(uuid.uuid4())}, version="0123456789abcdef"
    )
    body = assert_error(response, 409, "incompatible_contract_version")
    assert body["details"]["caller"] == "0123456789abcdef"
    assert "UsersService.get_user" in body["message"]


def test_the_endpoint_is_not_in_the_public_schema(client):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/json")
    assert schema.status_code == 200
    assert "/internal/" not in schema.content.decode()


def test_anything_but_post_is_405_in_the_error_shape(rpc):
    response = rpc.client.get("/internal/rpc/UsersService/get_user")
    assert_error(response, 405, "rpc.method_not_allowed")
    assert response["Allow"] == "POST"
