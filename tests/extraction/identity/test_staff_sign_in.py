"""Admin sign-in through the users contract and the local staff shadow (docs/identity.md)."""

from __future__ import annotations

import io
import uuid
from datetime import timedelta

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from apps.users import services as user_services
from apps.users.models import User
from contracts import get
from contracts.users import StaffAuthenticationFailed, StaffIdentityDTO, UsersService
from extraction.identity.models import StaffUser
from extraction.identity.services import staff_shadow_sync
from tests.factories.users import PASSWORD, StaffUserFactory, UserFactory, sign_in_to_admin

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]

ADMIN_LOGIN = reverse("admin:login")
PAYMENTS_ADMIN = reverse("admin:payments_payment_changelist")


@pytest.fixture(autouse=True)
def a_payment(payment_factory):
    """The admin offers actions only on a list that has rows."""
    return payment_factory()


def admin_sign_in(client: Client, email: str, password: str = PASSWORD):
    return client.post(ADMIN_LOGIN, {"username": email, "password": password, "next": "/admin/"})


def test_the_user_model_is_the_staff_shadow():
    assert settings.AUTH_USER_MODEL == "identity.StaffUser"
    assert get_user_model() is StaffUser


def test_authenticate_staff_answers_the_identity_with_direct_and_group_permissions():
    # given
    staff = StaffUserFactory(email="ops@seams.example", permissions=["payments.view_payment"])
    support = Group.objects.create(name="support")
    support.permissions.add(Permission.objects.get(codename="view_order"))
    staff.groups.add(support)
    # when
    identity = get(UsersService).authenticate_staff(email=" Ops@Seams.Example", password=PASSWORD)
    # then
    assert identity == StaffIdentityDTO(
        id=staff.id,
        email="ops@seams.example",
        full_name=staff.full_name,
        is_active=True,
        is_staff=True,
        is_superuser=False,
        permissions=("orders.view_order", "payments.view_payment"),
    )


@pytest.mark.parametrize("case", ["wrong password", "unknown", "customer", "deactivated"])
def test_authenticate_staff_refuses_alike_whatever_is_wrong(case):
    staff = StaffUserFactory(email="ops@seams.example")
    UserFactory(email="ada@example.com")
    email, password = {
        "wrong password": ("ops@seams.example", "not the password"),
        "unknown": ("nobody@seams.example", PASSWORD),
        "customer": ("ada@example.com", PASSWORD),
        "deactivated": ("ops@seams.example", PASSWORD),
    }[case]
    if case == "deactivated":
        user_services.user_deactivate(user_id=staff.id, actor_id=None)
    with pytest.raises(StaffAuthenticationFailed) as raised:
        get(UsersService).authenticate_staff(email=email, password=password)
    assert raised.value.code == "users.staff_authentication_failed"
    assert raised.value.details == {}


def test_admin_login_fills_the_shadow_with_the_account_id_and_exactly_its_permissions(client):
    # given
    staff = StaffUserFactory(email="viewer@seams.example", permissions=["payments.view_payment"])
    # when
    response = admin_sign_in(client, "viewer@seams.example")
    # then
    assert response.status_code == 302
    shadow = StaffUser.objects.get()
    assert (shadow.pk, shadow.email, shadow.is_staff, shadow.is_superuser) == (
        staff.id,
        "viewer@seams.example",
        True,
        False,
    )
    assert not shadow.has_usable_password()
    assert shadow.get_all_permissions() == {"payments.view_payment"}
    assert client.get(PAYMENTS_ADMIN).status_code == 200
    assert "refund_selected" not in client.get(PAYMENTS_ADMIN).content.decode()


def test_a_new_sign_in_replaces_the_shadow_permissions_with_the_current_grants(client):
    # given: signed in once with the change permission
    staff = StaffUserFactory(permissions=["payments.view_payment", "payments.change_payment"])
    sign_in_to_admin(client, staff)
    assert "refund_selected" in client.get(PAYMENTS_ADMIN).content.decode()
    # when: the grant is withdrawn in the users app and staff sign in again
    staff.user_permissions.remove(Permission.objects.get(codename="change_payment"))
    client.logout()
    sign_in_to_admin(client, staff)
    # then
    assert StaffUser.objects.get(pk=staff.id).get_all_permissions() == {"payments.view_payment"}
    assert "refund_selected" not in client.get(PAYMENTS_ADMIN).content.decode()


@pytest.mark.parametrize("email", ["ada@example.com", "ops@seams.example"])
def test_customers_and_wrong_passwords_get_the_login_form_again_and_no_shadow(client, email):
    UserFactory(email="ada@example.com")
    StaffUserFactory(email="ops@seams.example")
    password = PASSWORD if email == "ada@example.com" else "wrong password"
    response = admin_sign_in(client, email, password)
    assert response.status_code == 200
    assert "Please enter the correct email" in response.content.decode()
    assert not StaffUser.objects.exists()


def test_labels_of_apps_that_do_not_run_here_are_skipped():
    identity = StaffIdentityDTO(
        id=uuid.uuid4(),
        email="ops@seams.example",
        full_name="",
        is_active=True,
        is_staff=True,
        is_superuser=False,
        permissions=("shipping.view_parcel", "orders.view_order", "not-a-label"),
    )
    shadow = staff_shadow_sync(identity=identity)
    assert shadow.get_all_permissions() == {"orders.view_order"}


def test_an_address_taken_by_an_older_shadow_moves_to_the_new_account():
    # given: a shadow of an account since deleted, and a new account with its address
    old = staff_shadow_sync(
        identity=StaffIdentityDTO(
            id=uuid.uuid4(),
            email="ops@seams.example",
            full_name="",
            is_active=True,
            is_staff=True,
            is_superuser=True,
            permissions=(),
        )
    )
    new = StaffUserFactory(email="ops@seams.example")
    # when
    sign_in_to_admin(Client(), new)
    # then
    old.refresh_from_db()
    assert (old.is_active, old.is_superuser, old.email) == (
        False,
        False,
        f"retired-{old.pk}@identity.invalid",
    )
    assert StaffUser.objects.get(email="ops@seams.example").pk == new.id


def test_a_session_older_than_the_resync_delay_ends_when_staff_status_was_withdrawn(client):
    # given: signed in, then no longer staff in the users app
    staff = StaffUserFactory(permissions=["payments.view_payment"])
    sign_in_to_admin(client, staff)
    User.objects.filter(pk=staff.id).update(is_staff=False)
    # when / then: within the delay the last confirmed identity holds
    assert client.get(PAYMENTS_ADMIN).status_code == 200
    # when / then: past it, the users contract is asked again and the session ends
    StaffUser.objects.filter(pk=staff.id).update(
        synced_at=timezone.now() - timedelta(seconds=settings.SEAMS_STAFF_RESYNC_SECONDS + 1)
    )
    assert client.get(PAYMENTS_ADMIN).status_code == 302
    assert StaffUser.objects.get(pk=staff.id).is_active is False


def test_a_deactivation_heard_through_the_event_ends_the_session_at_once(
    client, django_capture_on_commit_callbacks
):
    # given: signed in a moment ago
    staff = StaffUserFactory(permissions=["payments.view_payment"])
    sign_in_to_admin(client, staff)
    assert client.get(PAYMENTS_ADMIN).status_code == 200
    # when: deactivated in the users app; UserDeactivated is delivered after commit
    with django_capture_on_commit_callbacks(execute=True):
        user_services.user_deactivate(user_id=staff.id, actor_id=None)
    # then: the next request re-confirms and the session ends, within the delay
    assert client.get(PAYMENTS_ADMIN).status_code == 302
    assert StaffUser.objects.get(pk=staff.id).is_active is False


def test_a_reactivated_account_signs_in_again_despite_the_earlier_deactivation(
    client, django_capture_on_commit_callbacks
):
    # given: deactivated (the event heard here), then reactivated in the users app
    staff = StaffUserFactory(permissions=["payments.view_payment"])
    with django_capture_on_commit_callbacks(execute=True):
        user_services.user_deactivate(user_id=staff.id, actor_id=None)
    user_services.user_reactivate(user_id=staff.id)
    # when
    sign_in_to_admin(client, staff)
    # then: the sign-in confirmed the account after the deactivation
    assert client.get(PAYMENTS_ADMIN).status_code == 200


def test_a_session_older_than_the_resync_delay_picks_up_new_grants(client):
    staff = StaffUserFactory(permissions=["payments.view_payment"])
    sign_in_to_admin(client, staff)
    staff.user_permissions.add(Permission.objects.get(codename="change_payment"))
    StaffUser.objects.filter(pk=staff.id).update(
        synced_at=timezone.now() - timedelta(seconds=settings.SEAMS_STAFF_RESYNC_SECONDS + 1)
    )
    assert "refund_selected" in client.get(PAYMENTS_ADMIN).content.decode()


def test_createsuperuser_creates_a_superuser_account_in_the_users_app(monkeypatch):
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", "a long superuser passphrase")
    out = io.StringIO()
    call_command("createsuperuser", "--noinput", "--email", "Root@Seams.example", stdout=out)
    assert "Created superuser root@seams.example" in out.getvalue()
    identity = get(UsersService).authenticate_staff(
        email="root@seams.example", password="a long superuser passphrase"
    )
    assert identity.is_superuser and identity.is_staff
    assert not StaffUser.objects.exists()  # the shadow is filled at the admin sign-in


def test_createsuperuser_without_a_password_or_without_the_users_app_says_what_to_do(
    monkeypatch, settings
):
    monkeypatch.delenv("DJANGO_SUPERUSER_PASSWORD", raising=False)
    with pytest.raises(CommandError, match="DJANGO_SUPERUSER_PASSWORD"):
        call_command("createsuperuser", "--noinput", "--email", "root@seams.example")
    settings.SEAMS_SERVICES = ("orders", "payments")
    with pytest.raises(CommandError, match="where users runs"):
        call_command("createsuperuser", "--noinput", "--email", "root@seams.example")
    assert not User.objects.filter(email="root@seams.example").exists()


def test_stale_content_types_of_apps_granted_here_are_never_removed(settings):
    from django.contrib.contenttypes.models import ContentType

    # As in a users process where payments runs elsewhere: its content types hold the
    # catalog's permissions, and staff grants of them.
    settings.ALL_SERVICES = (*settings.ALL_SERVICES, "shipping")
    kept = ContentType.objects.create(app_label="shipping", model="parcel")
    gone = ContentType.objects.create(app_label="orders", model="retiredmodel")
    with pytest.raises(CommandError, match="shipping"):
        call_command("remove_stale_contenttypes", "--noinput", "--include-stale-apps")
    assert ContentType.objects.filter(pk=kept.pk).exists()
    # without the flag it is Django's command: a stale model of an installed app goes
    call_command("remove_stale_contenttypes", "--noinput", verbosity=0)
    assert ContentType.objects.filter(pk=kept.pk).exists()
    assert not ContentType.objects.filter(pk=gone.pk).exists()
