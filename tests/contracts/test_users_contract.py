"""UsersService: every method and every error, in each mode (direct, codec, http)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest

from contracts import get
from contracts.users import (
    StaffAuthenticationFailed,
    StaffIdentityDTO,
    UserDTO,
    UserNotFound,
    UsersService,
)
from tests.factories import UserFactory
from tests.factories.users import PASSWORD, StaffUserFactory

pytestmark = pytest.mark.django_db


def test_get_user(mode):
    # given
    joined = datetime(2024, 5, 17, 9, 30, 15, 123456, tzinfo=UTC)
    user = UserFactory(full_name="Ada Lovelace", is_staff=True, date_joined=joined)
    # when
    result = get(UsersService).get_user(user_id=user.id)
    # then
    assert result == UserDTO(
        id=user.id,
        email=user.email,
        full_name="Ada Lovelace",
        is_active=True,
        is_staff=True,
        date_joined=joined,
    )
    assert type(result) is UserDTO and type(result.id) is uuid.UUID


def test_get_user_unknown_raises_user_not_found(mode):
    missing = uuid.uuid4()
    with pytest.raises(UserNotFound) as raised:
        get(UsersService).get_user(user_id=missing)
    assert raised.value.code == "users.user_not_found"
    assert raised.value.http_status == 404


def test_get_user_of_a_deactivated_user_says_so(mode):
    user = UserFactory(is_active=False)
    assert get(UsersService).get_user(user_id=user.id).is_active is False


def test_get_users_keeps_the_order_asked_for_and_skips_unknown_ids(mode):
    a, b = UserFactory(), UserFactory()
    users = get(UsersService).get_users(user_ids=(b.id, uuid.uuid4(), a.id))
    assert type(users) is tuple
    assert [u.id for u in users] == [b.id, a.id]
    assert [u.email for u in users] == [b.email, a.email]


def test_get_users_of_no_ids_is_empty(mode):
    assert get(UsersService).get_users(user_ids=()) == ()


def test_authenticate_staff_returns_the_identity_with_its_permissions(mode):
    staff = StaffUserFactory(permissions=["orders.change_order", "payments.view_payment"])
    identity = get(UsersService).authenticate_staff(email=staff.email, password=PASSWORD)
    assert identity == StaffIdentityDTO(
        id=staff.id,
        email=staff.email,
        full_name=staff.full_name,
        is_active=True,
        is_staff=True,
        is_superuser=False,
        permissions=("orders.change_order", "payments.view_payment"),
    )
    assert type(identity.permissions) is tuple


@pytest.mark.parametrize("who", ["wrong password", "customer", "unknown", "deactivated"])
def test_authenticate_staff_refuses_anyone_else_alike(mode, who):
    staff = StaffUserFactory(is_active=who != "deactivated")
    customer = UserFactory()
    email, password = {
        "wrong password": (staff.email, "not the password"),
        "customer": (customer.email, PASSWORD),
        "unknown": ("nobody@example.com", PASSWORD),
        "deactivated": (staff.email, PASSWORD),
    }[who]
    with pytest.raises(StaffAuthenticationFailed) as raised:
        get(UsersService).authenticate_staff(email=email, password=password)
    assert (raised.value.code, raised.value.http_status) == (
        "users.staff_authentication_failed",
        401,
    )


def test_get_staff_identity(mode):
    staff = StaffUserFactory(permissions=["users.view_user"])
    identity = get(UsersService).get_staff_identity(user_id=staff.id)
    assert (identity.id, identity.email, identity.permissions) == (
        staff.id,
        staff.email,
        ("users.view_user",),
    )


@pytest.mark.parametrize("who", ["customer", "unknown"])
def test_get_staff_identity_of_no_staff_account_is_refused(mode, who):
    user_id = UserFactory().id if who == "customer" else uuid.uuid4()
    with pytest.raises(StaffAuthenticationFailed):
        get(UsersService).get_staff_identity(user_id=user_id)
