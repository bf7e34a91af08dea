"""The users contract through ``contracts.get``, as the other apps call it."""

from __future__ import annotations

import uuid

import pytest

from apps.users import services
from contracts import get
from contracts.users import UserDTO, UserNotFound, UsersService
from tests.factories.users import StaffUserFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_get_user_maps_every_field():
    # given
    user = StaffUserFactory(full_name="Grace Hopper")
    # when
    dto = get(UsersService).get_user(user_id=user.id)
    # then
    assert dto == UserDTO(
        id=user.id,
        email=user.email,
        full_name="Grace Hopper",
        is_active=True,
        is_staff=True,
        date_joined=user.date_joined,
    )


def test_get_user_reports_a_deactivated_account_as_inactive():
    # given
    user = UserFactory()
    services.user_deactivate(user_id=user.id, actor_id=None)
    # then
    assert get(UsersService).get_user(user_id=user.id).is_active is False


def test_get_user_of_an_unknown_id_raises_the_contract_error():
    with pytest.raises(UserNotFound) as raised:
        get(UsersService).get_user(user_id=uuid.uuid4())
    assert raised.value.code == "users.user_not_found"


def test_get_users_returns_those_that_exist_in_the_order_asked():
    # given
    a, b = UserFactory(), UserFactory()
    # when
    found = get(UsersService).get_users(user_ids=(b.id, uuid.uuid4(), a.id))
    # then
    assert tuple(u.id for u in found) == (b.id, a.id)
    assert get(UsersService).get_users(user_ids=()) == ()
