"""The account answers permission questions from its own grants, not from AUTH_USER_MODEL's.

``users.User`` is not the user model Django's backends read (that is the staff
shadow, docs/identity.md), so its own methods are what the token claims and
``authenticate_staff`` are written from.
"""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group, Permission

from tests.factories.users import StaffUserFactory, SuperuserFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]


def test_direct_and_group_grants_both_count():
    # given
    staff = StaffUserFactory(permissions=["payments.view_payment"])
    support = Group.objects.create(name="support")
    support.permissions.add(Permission.objects.get(codename="change_order"))
    staff.groups.add(support)
    # then
    assert staff.get_all_permissions() == {"payments.view_payment", "orders.change_order"}
    assert staff.has_perm("orders.change_order")
    assert staff.has_perms(["payments.view_payment", "orders.change_order"])
    assert staff.has_module_perms("payments")
    assert not staff.has_perm("payments.change_payment")
    assert not staff.has_module_perms("users")


def test_a_deactivated_account_holds_no_permission():
    staff = StaffUserFactory(permissions=["payments.view_payment"], is_active=False)
    assert staff.get_all_permissions() == set()
    assert not staff.has_perm("payments.view_payment")


def test_a_superuser_holds_every_permission():
    root = SuperuserFactory()
    assert root.has_perm("payments.change_payment")
    assert "users.delete_user" in root.get_all_permissions()
