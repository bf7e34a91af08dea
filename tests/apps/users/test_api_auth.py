"""Sign-up and JWTs: /api/v1/auth/register, /auth/token, /auth/token/refresh."""

from __future__ import annotations

from datetime import timedelta

import pytest
from rest_framework.test import APIClient
from rest_framework_simplejwt.tokens import AccessToken, RefreshToken

from apps.users import services
from apps.users.models import User
from tests.factories.users import PASSWORD, StaffUserFactory, UserFactory, token_pair_for

pytestmark = pytest.mark.django_db

REGISTER = "/api/v1/auth/register"
TOKEN = "/api/v1/auth/token"
REFRESH = "/api/v1/auth/token/refresh"
ME = "/api/v1/users/me"
GOOD_PASSWORD = "plum-orchard-47-lantern"


def assert_error(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == {"code", "message", "details"}
    assert body["code"] == code
    assert body["message"]
    return body


# --- register --------------------------------------------------------------------------


def test_register_creates_the_account_and_returns_its_profile(api):
    # when
    response = api.post(
        REGISTER,
        {"email": "Ada@Example.com", "password": GOOD_PASSWORD, "full_name": "Ada"},
        format="json",
    )
    # then
    assert response.status_code == 201
    body = response.json()
    assert body["email"] == "ada@example.com"
    assert body["full_name"] == "Ada"
    assert body["is_active"] is True and body["is_staff"] is False
    assert "password" not in body
    assert User.objects.get(id=body["id"]).check_password(GOOD_PASSWORD)


def test_register_with_a_taken_email_is_a_409(api):
    # given
    UserFactory(email="grace@example.com")
    # when
    response = api.post(
        REGISTER, {"email": "grace@example.com", "password": GOOD_PASSWORD}, format="json"
    )
    # then
    body = assert_error(response, 409, "users.email_taken")
    assert body["details"] == {"email": "grace@example.com"}


def test_register_with_a_password_the_schema_refuses_is_a_400(api):
    # when: shorter than 8 characters and only digits (the schema's minLength and pattern)
    response = api.post(REGISTER, {"email": "x@example.com", "password": "123"}, format="json")
    # then
    body = assert_error(response, 400, "invalid")
    messages = body["details"]["password"]
    assert any("at least 8 characters" in m for m in messages)
    assert not User.objects.exists()


def test_register_with_a_weak_password_the_schema_allows_is_a_422_with_field_details(api):
    # when: long enough and not numeric, but among the common passwords
    response = api.post(
        REGISTER, {"email": "x@example.com", "password": "password123"}, format="json"
    )
    # then
    body = assert_error(response, 422, "users.weak_password")
    assert any("too common" in m for m in body["details"]["password"])
    assert not User.objects.exists()


@pytest.mark.parametrize(
    "payload",
    [
        {},
        {"email": "not-an-email", "password": GOOD_PASSWORD},
        {"email": "x@example.com"},
        {"email": "x@example.com", "password": GOOD_PASSWORD, "full_name": "x" * 151},
    ],
)
def test_register_with_invalid_input_is_a_400_naming_the_fields(api, payload):
    # when
    response = api.post(REGISTER, payload, format="json")
    # then
    body = assert_error(response, 400, "invalid")
    assert body["details"]
    assert not User.objects.exists()


def test_register_ignores_a_stale_authorization_header(api):
    # given
    api.credentials(HTTP_AUTHORIZATION="Bearer not-a-token")
    # when
    response = api.post(
        REGISTER, {"email": "new@example.com", "password": GOOD_PASSWORD}, format="json"
    )
    # then
    assert response.status_code == 201


# --- token -------------------------------------------------------------------------------


def test_token_pair_carries_the_user_id_email_and_staff_claims(api):
    # given
    staff = StaffUserFactory(email="ops@seams.example")
    # when
    response = api.post(TOKEN, {"email": "OPS@seams.example", "password": PASSWORD}, format="json")
    # then
    assert response.status_code == 200
    access = AccessToken(response.json()["access"])
    assert access["user_id"] == str(staff.id)
    assert access["email"] == "ops@seams.example"
    assert access["is_staff"] is True
    assert RefreshToken(response.json()["refresh"])["user_id"] == str(staff.id)
    staff.refresh_from_db()
    assert staff.last_login is not None


def test_the_access_token_opens_the_api(api):
    # given
    user = UserFactory()
    access = api.post(TOKEN, {"email": user.email, "password": PASSWORD}, format="json").json()[
        "access"
    ]
    # when
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {access}")
    response = api.get(ME)
    # then
    assert response.status_code == 200
    assert response.json()["id"] == str(user.id)


@pytest.mark.parametrize(
    "credentials",
    [
        {"email": "customer@example.com", "password": "wrong password"},
        {"email": "nobody@example.com", "password": PASSWORD},
    ],
)
def test_wrong_credentials_are_a_401(api, credentials):
    # given
    UserFactory(email="customer@example.com")
    # when
    response = api.post(TOKEN, credentials, format="json")
    # then
    assert_error(response, 401, "authentication_failed")


def test_a_deactivated_account_gets_no_token(api):
    # given
    user = UserFactory(is_active=False)
    # when
    response = api.post(TOKEN, {"email": user.email, "password": PASSWORD}, format="json")
    # then
    assert_error(response, 401, "authentication_failed")


def test_token_without_a_password_is_a_400(api):
    response = api.post(TOKEN, {"email": "x@example.com"}, format="json")
    body = assert_error(response, 400, "invalid")
    assert "password" in body["details"]


# --- invalid tokens ------------------------------------------------------------------------


def test_a_forged_access_token_is_a_401_in_the_error_shape(api):
    # given
    api.credentials(HTTP_AUTHORIZATION="Bearer abc.def.ghi")
    # when
    response = api.get(ME)
    # then
    body = assert_error(response, 401, "authentication_failed")
    assert body["message"] == "Given token not valid for any token type"
    assert body["details"]["code"] == "token_not_valid"


def test_an_expired_access_token_is_a_401(api):
    # given
    token = token_pair_for(UserFactory()).access_token
    token.set_exp(lifetime=-timedelta(seconds=1))
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    # when / then
    assert_error(api.get(ME), 401, "authentication_failed")


def test_no_token_is_a_401(api):
    assert_error(api.get(ME), 401, "not_authenticated")


def test_a_deactivated_account_s_still_valid_token_stops_working_at_once(
    client_for, django_capture_on_commit_callbacks
):
    # given: a token that works, and stays unexpired
    user = UserFactory()
    client = client_for(user)
    assert client.get(ME).status_code == 200
    # when: the deactivation commits and its event is delivered
    with django_capture_on_commit_callbacks(execute=True):
        services.user_deactivate(user_id=user.id, actor_id=None)
    # then
    body = assert_error(client.get(ME), 401, "authentication_failed")
    assert body["details"]["code"] == "user_inactive"


def test_staff_permissions_travel_in_the_token_and_a_removal_counts_from_the_next_one(api):
    # given: staff who may view accounts, signed in
    staff = StaffUserFactory(permissions=["users.view_user"])
    pair = api.post(TOKEN, {"email": staff.email, "password": PASSWORD}, format="json").json()
    assert AccessToken(pair["access"])["perms"] == ["users.view_user"]
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {pair['access']}")
    assert api.get(f"/api/v1/users/{staff.id}").status_code == 200
    # when: the permission is taken away and the token refreshed
    staff.user_permissions.clear()
    refreshed = api.post(REFRESH, {"refresh": pair["refresh"]}, format="json").json()["access"]
    # then
    assert AccessToken(refreshed)["perms"] == []
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {refreshed}")
    assert_error(api.get(f"/api/v1/users/{staff.id}"), 403, "permission_denied")


# --- refresh ------------------------------------------------------------------------------


def test_refresh_returns_a_new_access_token_with_current_claims(api):
    # given: the account became staff after signing in
    user = UserFactory()
    refresh = str(token_pair_for(user))
    User.objects.filter(id=user.id).update(is_staff=True)
    # when
    response = api.post(REFRESH, {"refresh": refresh}, format="json")
    # then
    assert response.status_code == 200
    access = AccessToken(response.json()["access"])
    assert access["user_id"] == str(user.id)
    assert access["is_staff"] is True


def test_refresh_with_an_access_token_or_garbage_is_a_401(api):
    # given
    access = str(token_pair_for(UserFactory()).access_token)
    # then
    for bad in (access, "garbage"):
        body = assert_error(
            api.post(REFRESH, {"refresh": bad}, format="json"), 401, "authentication_failed"
        )
        assert body["details"]["code"] == "token_not_valid"


def test_refresh_of_a_deactivated_or_deleted_account_is_a_401(api):
    # given
    gone, inactive = UserFactory(), UserFactory()
    tokens = [str(token_pair_for(gone)), str(token_pair_for(inactive))]
    gone.delete()
    services.user_deactivate(user_id=inactive.id, actor_id=None)
    # then
    for refresh in tokens:
        assert_error(
            api.post(REFRESH, {"refresh": refresh}, format="json"), 401, "authentication_failed"
        )


# --- throttling ------------------------------------------------------------------------------


@pytest.fixture
def low_rates(settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {
            "auth.register": "2/minute",
            "auth.token": "2/minute",
            "auth.refresh": "2/minute",
        },
    }


def test_token_attempts_are_throttled_with_a_429_in_the_error_shape(api, low_rates):
    # given
    payload = {"email": "nobody@example.com", "password": "guess"}
    for _ in range(2):
        assert api.post(TOKEN, payload, format="json").status_code == 401
    # when
    response = api.post(TOKEN, payload, format="json")
    # then
    body = assert_error(response, 429, "throttled")
    assert 0 < body["details"]["retry_after_seconds"] <= 60
    assert int(response.headers["Retry-After"]) > 0


def test_a_forged_forwarded_for_header_does_not_dodge_the_throttle(api, low_rates):
    # given: a client that claims a new address on every attempt
    payload = {"email": "nobody@example.com", "password": "guess"}
    statuses = [
        api.post(TOKEN, payload, format="json", HTTP_X_FORWARDED_FOR=f"203.0.113.{n}").status_code
        for n in range(4)
    ]
    # then: it is still one client, counted by the address it connects from
    assert statuses == [401, 401, 429, 429]


def test_registrations_are_throttled(api, low_rates):
    # given
    for n in range(2):
        payload = {"email": f"user{n}@example.com", "password": GOOD_PASSWORD}
        assert api.post(REGISTER, payload, format="json").status_code == 201
    # when
    payload = {"email": "user3@example.com", "password": GOOD_PASSWORD}
    response = api.post(REGISTER, payload, format="json")
    # then
    assert_error(response, 429, "throttled")
    assert not User.objects.filter(email="user3@example.com").exists()


def test_refreshes_are_throttled_on_their_own_scope(api, low_rates):
    # given: sign-ins spent, refreshes not
    refresh = str(token_pair_for(UserFactory()))
    for _ in range(2):
        api.post(TOKEN, {"email": "x@example.com", "password": "x"}, format="json")
    # then
    for _ in range(2):
        assert api.post(REFRESH, {"refresh": refresh}, format="json").status_code == 200
    assert_error(api.post(REFRESH, {"refresh": refresh}, format="json"), 429, "throttled")


def test_the_throttle_counts_per_client_address(low_rates):
    # given
    first, second = APIClient(REMOTE_ADDR="127.0.0.2"), APIClient(REMOTE_ADDR="127.0.0.3")
    payload = {"email": "nobody@example.com", "password": "guess"}
    for _ in range(2):
        first.post(TOKEN, payload, format="json")
    # then
    assert first.post(TOKEN, payload, format="json").status_code == 429
    assert second.post(TOKEN, payload, format="json").status_code == 401
