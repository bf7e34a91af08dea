"""The reads of the users app."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from django.utils import timezone

from apps.users import selectors
from apps.users.filters import UserFilter
from contracts.users import UserNotFound
from tests.factories.users import StaffUserFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_user_get_and_its_not_found():
    # given
    user = UserFactory()
    # then
    assert selectors.user_get(user_id=user.id) == user
    with pytest.raises(UserNotFound) as raised:
        selectors.user_get(user_id=uuid.uuid4())
    assert raised.value.http_status == 404


def test_user_get_by_email_ignores_case_and_spaces():
    # given
    user = UserFactory(email="ada@example.com")
    # then
    assert selectors.user_get_by_email(email=" ADA@example.com") == user
    with pytest.raises(UserNotFound):
        selectors.user_get_by_email(email="nobody@example.com")


def test_user_find_returns_none_for_a_missing_account():
    assert selectors.user_find(user_id=uuid.uuid4()) is None


def test_user_list_by_ids_keeps_the_order_and_drops_unknown_and_repeated_ids():
    # given
    a, b = UserFactory(), UserFactory()
    # when
    found = selectors.user_list_by_ids(user_ids=[b.id, uuid.uuid4(), a.id, b.id])
    # then
    assert found == [b, a]


def test_user_list_is_newest_first():
    # given
    now = timezone.now()
    old = UserFactory(date_joined=now - timedelta(days=2))
    new = UserFactory(date_joined=now)
    # then
    assert list(selectors.user_list()) == [new, old]


def test_the_filter_narrows_by_status_role_and_search():
    # given
    ada = UserFactory(email="ada@example.com", full_name="Ada Lovelace")
    gone = UserFactory(email="gone@example.com", full_name="Gone", is_active=False)
    staff = StaffUserFactory(full_name="Grace Hopper")

    def run(**params):
        return set(UserFilter(params, selectors.user_list()).qs)

    # then
    assert run(is_active="false") == {gone}
    assert run(is_staff="true") == {staff}
    assert run(search="LOVELACE") == {ada}
    assert run(search="example.com") == {ada, gone}
    assert run(search="   ") == {ada, gone, staff}
