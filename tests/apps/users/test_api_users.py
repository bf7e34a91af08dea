"""Profile and account administration: /api/v1/users…, with who may do what."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from django.utils import timezone
from drf_spectacular.generators import SchemaGenerator
from rest_framework.test import APIClient

from apps.users.models import User
from extraction.models import OutboxEvent
from tests.factories.users import StaffUserFactory, SuperuserFactory, UserFactory

pytestmark = pytest.mark.django_db


def user_admin(**fields):
    """Staff who manage accounts: they may view and change users."""
    return StaffUserFactory(permissions=["users.view_user", "users.change_user"], **fields)


ME = "/api/v1/users/me"
USERS = "/api/v1/users"


def detail(user_id) -> str:
    return f"{USERS}/{user_id}"


def deactivate(user_id) -> str:
    return f"{USERS}/{user_id}/deactivate"


def deactivations() -> list[str]:
    return [
        row.payload["user_id"]
        for row in OutboxEvent.objects.filter(name="users.UserDeactivated").order_by("id")
    ]


# --- /users/me ------------------------------------------------------------------------------


def test_me_returns_the_signed_in_account(client_for):
    # given
    user = UserFactory(full_name="Ada Lovelace")
    # when
    response = client_for(user).get(ME)
    # then
    assert response.status_code == 200
    assert response.json() == {
        "id": str(user.id),
        "email": user.email,
        "full_name": "Ada Lovelace",
        "is_active": True,
        "is_staff": False,
        "date_joined": response.json()["date_joined"],
    }


def test_me_patch_changes_the_full_name(client_for):
    # given
    user = UserFactory(full_name="Old")
    # when
    response = client_for(user).patch(ME, {"full_name": "New Name"}, format="json")
    # then
    assert response.status_code == 200
    assert response.json()["full_name"] == "New Name"
    user.refresh_from_db()
    assert user.full_name == "New Name"


def test_me_patch_cannot_change_email_or_staff_flag(client_for):
    # given
    user = UserFactory(email="ada@example.com")
    # when
    response = client_for(user).patch(
        ME, {"email": "evil@example.com", "is_staff": True}, format="json"
    )
    # then: unknown fields are ignored, nothing changes
    assert response.status_code == 200
    user.refresh_from_db()
    assert (user.email, user.is_staff) == ("ada@example.com", False)


def test_me_patch_with_a_too_long_name_is_a_400(client_for):
    response = client_for(UserFactory()).patch(ME, {"full_name": "x" * 151}, format="json")
    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    assert "full_name" in response.json()["details"]


def test_me_deactivate_closes_the_own_account_and_publishes_the_event(
    client_for, django_capture_on_commit_callbacks
):
    # given
    user = UserFactory()
    client = client_for(user)
    # when: the request commits and the event is delivered
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"{ME}/deactivate")
    # then
    assert response.status_code == 200
    assert response.json()["is_active"] is False
    assert deactivations() == [str(user.id)]
    assert client.get(ME).status_code == 401  # the token is dead with the account


# --- staff list --------------------------------------------------------------------------------


def test_staff_lists_every_account_paginated_newest_first(client_for):
    # given
    now = timezone.now()
    staff = user_admin(date_joined=now - timedelta(days=3))
    users = [UserFactory(date_joined=now - timedelta(days=n)) for n in range(3)]
    # when
    response = client_for(staff).get(USERS, {"limit": 2})
    # then
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 4
    assert [u["id"] for u in body["results"]] == [str(users[0].id), str(users[1].id)]
    assert body["next"] is not None
    assert {"is_superuser", "last_login", "deactivated_at"} <= set(body["results"][0])


def test_staff_filters_by_status_role_and_search(client_for):
    # given
    staff = user_admin(email="boss@seams.example")
    UserFactory(email="ada@example.com", full_name="Ada Lovelace")
    gone = UserFactory(email="gone@example.com", is_active=False)
    client = client_for(staff)

    def emails(**params):
        response = client.get(USERS, params)
        assert response.status_code == 200
        return sorted(u["email"] for u in response.json()["results"])

    # then
    assert emails(is_active="false") == [gone.email]
    assert emails(is_staff="true") == ["boss@seams.example"]
    assert emails(search="lovelace") == ["ada@example.com"]
    assert emails(search="example.com", is_active="true") == ["ada@example.com"]


@pytest.mark.parametrize(
    "value",
    ["yesterday", "0001-01-01T00:00:00+05:00", "9999-12-31T23:59:59-05:00"],
)
def test_a_bad_date_filter_is_a_400_not_a_500(client_for, value):
    response = client_for(user_admin()).get(USERS, {"joined_after": value})
    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    assert "joined_after" in response.json()["details"]


def test_a_date_filter_with_an_offset_postgres_would_refuse_still_works(client_for):
    # given: +17:31 is a valid ISO offset, but out of PostgreSQL's range
    staff = user_admin()
    # when
    response = client_for(staff).get(USERS, {"joined_before": "2000-10-31T13:31:11+17:31"})
    # then
    assert response.status_code == 200
    assert response.json()["count"] == 0


def test_staff_without_the_user_permissions_cannot_list_read_or_deactivate(client_for):
    # given: staff who may do nothing with accounts
    client, other = client_for(StaffUserFactory()), UserFactory()
    # then
    for response in (
        client.get(USERS),
        client.get(detail(other.id)),
        client.post(deactivate(other.id)),
    ):
        assert response.status_code == 403
        assert response.json()["code"] == "permission_denied"
    assert User.objects.get(id=other.id).is_active


def test_a_customer_cannot_list_or_read_accounts(client_for):
    # given
    client, other = client_for(UserFactory()), UserFactory()
    # then
    for response in (client.get(USERS), client.get(detail(other.id))):
        assert response.status_code == 403
        assert response.json()["code"] == "permission_denied"


def test_staff_reads_one_account_and_an_unknown_one_is_a_404(client_for):
    # given
    client, user = client_for(user_admin()), UserFactory()
    # then
    assert client.get(detail(user.id)).json()["email"] == user.email
    response = client.get(detail(uuid.uuid4()))
    assert response.status_code == 404
    assert response.json()["code"] == "users.user_not_found"


# --- staff deactivation ----------------------------------------------------------------------


def test_staff_deactivates_a_customer(client_for):
    # given
    staff, user = user_admin(), UserFactory()
    # when
    response = client_for(staff).post(deactivate(user.id))
    # then
    assert response.status_code == 200
    assert response.json()["is_active"] is False
    assert response.json()["deactivated_at"] is not None
    assert deactivations() == [str(user.id)]


def test_a_customer_cannot_deactivate_someone_else(client_for):
    # given
    customer, victim = UserFactory(), UserFactory()
    # when
    response = client_for(customer).post(deactivate(victim.id))
    # then
    assert response.status_code == 403
    assert User.objects.get(id=victim.id).is_active
    assert deactivations() == []


def test_deactivating_twice_is_a_409_and_unknown_is_a_404(client_for):
    # given
    client, user = client_for(user_admin()), UserFactory()
    client.post(deactivate(user.id))
    # then
    assert client.post(deactivate(user.id)).json()["code"] == "users.already_inactive"
    assert client.post(deactivate(user.id)).status_code == 409
    assert client.post(deactivate(uuid.uuid4())).status_code == 404


def test_plain_staff_cannot_deactivate_a_superuser(client_for):
    # given
    staff, superuser = user_admin(), SuperuserFactory()
    # when
    response = client_for(staff).post(deactivate(superuser.id))
    # then
    assert response.status_code == 403
    assert response.json()["code"] == "users.not_allowed"
    assert User.objects.get(id=superuser.id).is_active


def test_a_malformed_user_id_is_a_404():
    client = APIClient()
    client.force_authenticate(user_admin())
    assert client.get(f"{USERS}/not-a-uuid").status_code == 404


# --- schema ----------------------------------------------------------------------------------


def test_every_users_endpoint_is_in_the_schema_with_its_own_components():
    # when
    schema = SchemaGenerator().get_schema(request=None, public=True)
    # then
    operations = {
        op["operationId"]
        for path, item in schema["paths"].items()
        if path.startswith(("/api/v1/users", "/api/v1/auth"))
        for op in item.values()
    }
    assert operations == {
        "auth_register",
        "auth_token_obtain",
        "auth_token_refresh",
        "users_me_retrieve",
        "users_me_update",
        "users_me_deactivate",
        "users_list",
        "users_retrieve",
        "users_deactivate",
    }
    components = schema["components"]["schemas"]
    for name in ("UserRegistrationRequest", "UserProfile", "StaffUser", "TokenPair"):
        assert name in components
