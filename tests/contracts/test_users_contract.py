"""UsersService: every method and every error, in each mode (direct, codec, http)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest

from contracts import get
from contracts.users import UserDTO, UserNotFound, UsersService
from tests.factories import UserFactory

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
