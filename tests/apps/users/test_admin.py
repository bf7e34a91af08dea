"""The User admin: list, forms, search and the (de)activation actions."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Permission
from django.test import Client
from django.urls import reverse

from apps.users.models import User
from extraction.models import OutboxEvent
from tests.factories.users import (
    StaffUserFactory,
    UserFactory,
    sign_in_to_admin,
)

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:users_user_changelist")


def test_changelist_renders_with_filters_and_search(admin_client):
    # given
    UserFactory(email="ada@example.com", full_name="Ada Lovelace")
    UserFactory(email="gone@example.com", is_active=False)
    # when
    page = admin_client.get(CHANGELIST)
    searched = admin_client.get(CHANGELIST, {"q": "lovelace"})
    filtered = admin_client.get(CHANGELIST, {"is_active__exact": "0"})
    # then
    assert page.status_code == 200
    assert b"ada@example.com" in page.content and b"gone@example.com" in page.content
    assert b"ada@example.com" in searched.content
    assert b"gone@example.com" not in searched.content
    assert b"gone@example.com" in filtered.content
    assert b"ada@example.com" not in filtered.content


def test_search_finds_an_account_by_its_whole_id(admin_client):
    # given
    user, other = UserFactory(), UserFactory()
    # when
    page = admin_client.get(CHANGELIST, {"q": str(user.id)})
    # then
    assert page.status_code == 200
    assert user.email.encode() in page.content
    assert other.email.encode() not in page.content


def test_change_form_renders_with_the_id_and_status_read_only(admin_client):
    # given
    user = UserFactory(full_name="Grace Hopper")
    # when
    page = admin_client.get(reverse("admin:users_user_change", args=[user.id]))
    # then
    assert page.status_code == 200
    assert str(user.id).encode() in page.content
    form = page.context["adminform"].form
    assert "id" not in form.fields and "is_active" not in form.fields
    assert "email" in form.fields


def test_change_form_saves_the_profile(admin_client):
    # given
    user = UserFactory(email="old@example.com")
    url = reverse("admin:users_user_change", args=[user.id])
    # when
    response = admin_client.post(
        url,
        {
            "email": "New@Example.com",
            "full_name": "Renamed",
            "is_staff": "on",
            "date_joined_0": "2026-01-01",
            "date_joined_1": "00:00:00",
        },
    )
    # then
    assert response.status_code == 302, response.context["adminform"].form.errors
    user.refresh_from_db()
    assert (user.email, user.full_name, user.is_staff) == ("new@example.com", "Renamed", True)


def test_add_form_creates_a_user_with_a_checked_password(admin_client):
    # given
    UserFactory(email="taken@example.com")
    url = reverse("admin:users_user_add")
    assert admin_client.get(url).status_code == 200
    good = {"full_name": "New", "password1": "plum-orchard-47", "password2": "plum-orchard-47"}
    # when
    taken = admin_client.post(url, {**good, "email": "TAKEN@example.com"})
    weak = admin_client.post(url, {**good, "email": "new@example.com", "password1": "123"})
    created = admin_client.post(url, {**good, "email": "New@Example.com"})
    # then
    assert taken.status_code == 200 and "email" in taken.context["adminform"].form.errors
    assert weak.status_code == 200 and weak.context["adminform"].form.errors
    assert created.status_code == 302
    assert User.objects.get(email="new@example.com").check_password("plum-orchard-47")


def test_the_deactivate_action_goes_through_the_service(admin_client):
    # given
    active, already = UserFactory(), UserFactory(is_active=False)
    # when
    response = admin_client.post(
        CHANGELIST,
        {"action": "deactivate_selected", "_selected_action": [active.id, already.id]},
        follow=True,
    )
    # then
    assert response.status_code == 200
    active.refresh_from_db()
    assert not active.is_active and active.deactivated_at is not None
    published = OutboxEvent.objects.filter(name="users.UserDeactivated")
    assert [row.payload["user_id"] for row in published] == [str(active.id)]
    shown = [str(m) for m in response.context["messages"]]
    assert "Deactivated 1 user(s)." in shown
    assert any(already.email in m and m.startswith("Skipped") for m in shown)


def test_the_reactivate_action(admin_client):
    # given
    user = UserFactory(is_active=False)
    # when
    admin_client.post(CHANGELIST, {"action": "reactivate_selected", "_selected_action": [user.id]})
    # then
    user.refresh_from_db()
    assert user.is_active


def test_staff_without_the_change_permission_gets_no_actions():
    # given: staff with only the view permission
    staff = StaffUserFactory()
    staff.user_permissions.add(Permission.objects.get(codename="view_user"))
    victim = UserFactory()
    client = Client()
    sign_in_to_admin(client, staff)
    # when
    page = client.get(CHANGELIST)
    client.post(CHANGELIST, {"action": "deactivate_selected", "_selected_action": [victim.id]})
    # then
    assert page.status_code == 200
    assert b"deactivate_selected" not in page.content
    victim.refresh_from_db()
    assert victim.is_active
