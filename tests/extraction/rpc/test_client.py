"""The remote adapter: typed, retried only when idempotent, broken by a breaker, and
``ServiceUnavailable`` at once when the provider cannot answer."""

from __future__ import annotations

import json
import time
import uuid
from datetime import UTC, datetime

import pytest

from contracts import get
from contracts.errors import ContractError, RemoteFailure, ServiceUnavailable
from contracts.payments import NothingToRefund, PaymentsService, RefundDeclined
from contracts.users import UserDTO, UserNotFound, UsersService
from extraction import correlation
from extraction.rpc import breakers, identity, signing
from extraction.rpc.client import remote_adapter, transport_for
from tests.extraction.rpc.conftest import KEY

USER = UserDTO(
    id=uuid.UUID("6b1b3c1e-8f8e-4d6a-9f3e-5ea1c0de5ea1"),
    email="ada@example.com",
    full_name="Ada",
    is_active=True,
    is_staff=False,
    date_joined=datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC),
)
USER_JSON = {
    "id": str(USER.id),
    "email": USER.email,
    "full_name": "Ada",
    "is_active": True,
    "is_staff": False,
    "date_joined": "2024-01-02T03:04:05Z",
}
CONTRACT_ERROR = {"Seams-Answer": "contract-error"}


def users_at(url: str) -> UsersService:
    return remote_adapter(UsersService, base_url=url)()


def payments_at(url: str) -> PaymentsService:
    return remote_adapter(PaymentsService, base_url=url)()


def test_a_call_is_signed_with_the_first_key_and_decoded(scripted_provider, settings):
    settings.SEAMS_RPC_KEYS = [KEY, "older-key"]
    scripted_provider.answer(200, USER_JSON)
    # when
    result = users_at(scripted_provider.url).get_user(user_id=USER.id)
    # then
    assert result == USER
    headers, body = scripted_provider.requests[0]
    assert json.loads(body) == {"user_id": str(USER.id)}
    meta = {"HTTP_" + k.upper().replace("-", "_"): v for k, v in headers.items()}
    signing.verify(
        keys=[KEY],
        method="POST",
        path="/internal/rpc/UsersService/get_user",
        body=body,
        meta=meta,
        window_seconds=30,
        first_seen=lambda nonce, ttl: True,
    )


@pytest.mark.parametrize(
    "arguments",
    [{"user_id": USER.id, "unknown": 1}, {}, {"id": USER.id}],
    ids=["unknown", "missing", "misnamed"],
)
def test_a_call_with_wrong_keywords_is_a_type_error_and_sends_nothing(
    scripted_provider, arguments, settings
):
    # as calling the provider in process would: the same TypeError, in every mode
    with pytest.raises(TypeError, match="get_user"):
        users_at(scripted_provider.url).get_user(**arguments)
    assert scripted_provider.requests == []
    settings.SEAMS_CONTRACT_CODEC = True
    with pytest.raises(TypeError, match="get_user"):
        get(UsersService).get_user(**arguments)


def test_the_end_user_and_correlation_id_travel_with_the_call(scripted_provider):
    scripted_provider.answer(200, USER_JSON)
    staff = identity.EndUser(id="7", email="s@example.com", is_staff=True, permissions=("a.b",))
    with correlation.bound("corr-42"), identity.serving(staff):
        users_at(scripted_provider.url).get_user(user_id=USER.id)
    headers, _ = scripted_provider.requests[0]
    assert headers[correlation.HEADER] == "corr-42"
    assert identity.EndUser.from_header(headers[identity.HEADER]) == staff


def test_a_call_outside_any_correlation_id_sends_a_new_one_and_binds_none(scripted_provider):
    scripted_provider.answer(200, USER_JSON)
    scripted_provider.answer(200, USER_JSON)
    assert correlation.get() is None
    users = users_at(scripted_provider.url)
    users.get_user(user_id=USER.id)
    users.get_user(user_id=USER.id)
    first, second = (headers[correlation.HEADER] for headers, _ in scripted_provider.requests)
    assert correlation.clean(first) == first and correlation.clean(second) == second
    assert first != second  # each call its own id: nothing stays bound for later work
    assert correlation.get() is None


def test_a_contract_error_is_raised_again_as_the_same_class(scripted_provider):
    scripted_provider.answer(
        404,
        {"code": "users.user_not_found", "message": "No such user.", "details": {"user_id": "x"}},
        CONTRACT_ERROR,
    )
    with pytest.raises(UserNotFound) as raised:
        users_at(scripted_provider.url).get_user(user_id=USER.id)
    assert raised.value.details == {"user_id": "x"}
    assert scripted_provider.attempts == 1


def test_a_contract_error_with_a_5xx_status_is_not_a_transport_failure(scripted_provider):
    # RefundDeclined is a 502 of the provider's own: neither retried nor counted.
    for _ in range(3):
        scripted_provider.answer(
            502,
            {"code": "payments.refund_declined", "message": "Declined.", "details": {}},
            CONTRACT_ERROR,
        )
    payments = payments_at(scripted_provider.url)
    for _ in range(3):
        with pytest.raises(RefundDeclined):
            payments.refund_order_payment(order_id=uuid.uuid4(), reason="x")
    assert scripted_provider.attempts == 3
    assert breakers.breaker_state("payments") == "closed"


def test_an_idempotent_method_is_retried_on_a_transient_failure(scripted_provider):
    scripted_provider.answer(503, {"oops": 1})
    scripted_provider.answer(200, USER_JSON)
    assert users_at(scripted_provider.url).get_user(user_id=USER.id) == USER
    assert scripted_provider.attempts == 2
    nonces = {headers["Seams-Nonce"] for headers, _ in scripted_provider.requests}
    assert len(nonces) == 2  # each attempt is signed anew, never a replay


def test_an_idempotent_method_gives_up_after_the_bounded_retries(scripted_provider, settings):
    settings.SEAMS_RPC_RETRIES = 2
    with pytest.raises(ServiceUnavailable):
        users_at(scripted_provider.url).get_user(user_id=USER.id)
    assert scripted_provider.attempts == 3


def test_a_method_not_marked_idempotent_is_attempted_once(scripted_provider, settings):
    settings.SEAMS_RPC_RETRIES = 2
    with pytest.raises(ServiceUnavailable):
        payments_at(scripted_provider.url).refund_order_payment(order_id=uuid.uuid4(), reason="x")
    assert scripted_provider.attempts == 1


def test_an_unreachable_service_is_service_unavailable_at_once(unreachable_url, settings):
    settings.SEAMS_RPC_CONNECT_TIMEOUT_SECONDS = 5
    started = time.monotonic()
    with pytest.raises(ServiceUnavailable) as raised:
        users_at(unreachable_url).get_user(user_id=USER.id)
    assert time.monotonic() - started < 1.0
    assert raised.value.http_status == 503
    assert raised.value.details["service"] == "users"
    assert raised.value.retry_after_seconds >= 1


def test_a_provider_failure_is_a_remote_failure_not_its_internals(scripted_provider):
    scripted_provider.answer(
        500, {"code": "rpc.internal_error", "message": "m", "details": {"correlation_id": "c1"}}
    )
    with pytest.raises(RemoteFailure) as raised:
        users_at(scripted_provider.url).get_user(user_id=USER.id)
    assert raised.value.details == {"status": 500, "correlation_id": "c1"}
    assert scripted_provider.attempts == 1  # a 500 is the provider's bug: no retry


def test_an_endpoint_refusal_is_a_remote_failure_not_the_end_users_fault(scripted_provider):
    scripted_provider.answer(401, {"code": "rpc.bad_signature", "message": "m", "details": {}})
    with pytest.raises(RemoteFailure) as raised:
        users_at(scripted_provider.url).get_user(user_id=USER.id)
    assert raised.value.http_status == 502
    assert raised.value.details["remote_code"] == "rpc.bad_signature"


def test_an_unknown_error_code_keeps_its_code_and_status(scripted_provider):
    scripted_provider.answer(
        418, {"code": "future.teapot", "message": "m", "details": {}}, CONTRACT_ERROR
    )
    with pytest.raises(ContractError) as raised:
        users_at(scripted_provider.url).get_user(user_id=USER.id)
    assert (raised.value.code, raised.value.http_status) == ("future.teapot", 418)


def test_the_breaker_opens_fails_fast_and_closes_again(scripted_provider, settings):
    # given: two failures open the breaker for one second
    settings.SEAMS_RPC_RETRIES = 0
    settings.SEAMS_RPC_BREAKER_FAIL_MAX = 2
    settings.SEAMS_RPC_BREAKER_RESET_SECONDS = 1
    users = users_at(scripted_provider.url)
    for _ in range(2):
        with pytest.raises(ServiceUnavailable):
            users.get_user(user_id=USER.id)
    assert breakers.breaker_state("users") == "open"
    assert scripted_provider.attempts == 2
    # when: called while open
    started = time.monotonic()
    with pytest.raises(ServiceUnavailable) as raised:
        users.get_user(user_id=USER.id)
    # then: refused at once, without a request
    assert time.monotonic() - started < 0.5
    assert scripted_provider.attempts == 2
    assert raised.value.retry_after_seconds == 1
    # when: the provider is back and the reset timeout has passed
    scripted_provider.default = (200, {}, json.dumps(USER_JSON).encode())
    time.sleep(1.1)
    # then: the trial call goes through and closes the breaker
    assert users.get_user(user_id=USER.id) == USER
    assert breakers.breaker_state("users") == "closed"
    assert breakers.breaker_states()["users"] == "closed"


def test_contract_errors_do_not_open_the_breaker(scripted_provider, settings):
    settings.SEAMS_RPC_BREAKER_FAIL_MAX = 2
    scripted_provider.default = (
        409,
        CONTRACT_ERROR,
        json.dumps({"code": "payments.nothing_to_refund", "message": "m", "details": {}}).encode(),
    )
    payments = payments_at(scripted_provider.url)
    for _ in range(4):
        with pytest.raises(NothingToRefund):
            payments.refund_order_payment(order_id=uuid.uuid4(), reason="x")
    assert breakers.breaker_state("payments") == "closed"


@pytest.mark.redis
def test_the_breaker_state_in_redis_is_shared_by_processes(unreachable_url, settings):
    from tests.services_plugin import SERVICES

    settings.SEAMS_RPC_REDIS_URL = SERVICES.redis
    settings.SEAMS_RPC_REDIS_PREFIX = f"test:rpc:{uuid.uuid4().hex}"
    settings.SEAMS_RPC_RETRIES = 0
    settings.SEAMS_RPC_BREAKER_FAIL_MAX = 2
    settings.SEAMS_RPC_BREAKER_RESET_SECONDS = 30
    breakers.reset_breakers()
    users = users_at(unreachable_url)
    for _ in range(2):
        with pytest.raises(ServiceUnavailable):
            users.get_user(user_id=USER.id)
    # when: another process builds its breaker from the same Redis
    breakers.reset_breakers()
    # then
    assert breakers.breaker_state("users") == "open"
    with pytest.raises(ServiceUnavailable) as raised:
        users.get_user(user_id=USER.id)
    assert 25 <= raised.value.retry_after_seconds <= 30
    import redis

    client = redis.Redis.from_url(SERVICES.redis)
    keys = client.keys(f"{settings.SEAMS_RPC_REDIS_PREFIX}*")
    if keys:
        client.delete(*keys)


def test_a_read_timeout_per_method_is_honoured(scripted_provider, settings):
    settings.SEAMS_RPC_READ_TIMEOUT_SECONDS = 7.0
    settings.SEAMS_RPC_METHOD_READ_TIMEOUTS = {"UsersService.get_users": 0.25}
    transport = transport_for(UsersService.owner, scripted_provider.url)
    assert transport.timeout(UsersService, "get_users").read_timeout == 0.25
    assert transport.timeout(UsersService, "get_user").read_timeout == 7.0


@pytest.mark.django_db
def test_the_end_user_of_the_request_being_served_travels_with_its_permissions(
    scripted_provider, rf
):
    from tests.factories.users import StaffUserFactory, SuperuserFactory

    staff = StaffUserFactory(permissions=["orders.change_order"])
    root = SuperuserFactory()
    middleware = identity.CurrentRequestMiddleware(
        lambda request: users_at(scripted_provider.url).get_user(user_id=USER.id)
    )
    for user in (staff, root):
        scripted_provider.answer(200, USER_JSON)
        request = rf.get("/api/v1/orders")
        request.user = user
        middleware(request)
    sent = [
        identity.EndUser.from_header(headers[identity.HEADER])
        for headers, _ in scripted_provider.requests
    ]
    assert sent == [
        identity.EndUser(
            id=str(staff.id),
            email=staff.email,
            is_staff=True,
            permissions=("orders.change_order",),
        ),
        identity.EndUser(id=str(root.id), email=root.email, is_staff=True, is_superuser=True),
    ]
    assert sent[1].has_perm("payments.change_payment")
    assert identity.end_user() is None  # nothing is left behind after the request
