"""The writes of the users app, on the real database."""

from __future__ import annotations

import uuid

import pytest
from django.db import IntegrityError, transaction

from apps.users import services
from apps.users.error_codes import (
    EmailTaken,
    NotAllowed,
    UserAlreadyActive,
    UserAlreadyInactive,
    WeakPassword,
)
from apps.users.models import User
from contracts.users import UserNotFound
from extraction.models import OutboxEvent
from tests.factories.users import StaffUserFactory, SuperuserFactory, UserFactory

pytestmark = pytest.mark.django_db

GOOD_PASSWORD = "plum-orchard-47-lantern"


def events_named(name: str) -> list[dict]:
    return [row.payload for row in OutboxEvent.objects.filter(name=name).order_by("id")]


# --- user_register -----------------------------------------------------------------


def test_register_creates_an_active_customer_and_announces_it():
    # when
    user = services.user_register(
        email="  Ada@Example.COM ", password=GOOD_PASSWORD, full_name=" Ada Lovelace "
    )
    # then
    user.refresh_from_db()
    assert (user.email, user.full_name) == ("ada@example.com", "Ada Lovelace")
    assert user.is_active and not user.is_staff and not user.is_superuser
    assert user.check_password(GOOD_PASSWORD)
    [payload] = events_named("users.UserRegistered")
    assert payload["user_id"] == str(user.id)
    assert payload["email"] == "ada@example.com"


def test_register_refuses_a_taken_email_whatever_its_case():
    # given
    UserFactory(email="grace@example.com")
    # when / then
    with pytest.raises(EmailTaken) as raised:
        services.user_register(email="GRACE@example.com", password=GOOD_PASSWORD)
    assert raised.value.code == "users.email_taken"
    assert raised.value.http_status == 409
    assert User.objects.filter(email="grace@example.com").count() == 1
    assert events_named("users.UserRegistered") == []


@pytest.mark.parametrize(
    ("password", "reason"),
    [
        ("short1", "too short"),
        ("password123", "too common"),
        ("8273645190", "entirely numeric"),
        ("alanmathisonturing", "too similar"),
    ],
)
def test_register_refuses_weak_passwords_with_the_validators_reasons(password, reason):
    # when
    with pytest.raises(WeakPassword) as raised:
        services.user_register(
            email="alan@example.com", password=password, full_name="Alan Mathison Turing"
        )
    # then
    assert raised.value.http_status == 422
    assert any(reason in message for message in raised.value.details["password"])
    assert not User.objects.exists()


def test_the_database_refuses_emails_differing_only_in_case():
    # given
    UserFactory(email="case@example.com")
    # when / then: a write that bypasses the manager still cannot duplicate it
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.bulk_create([User(email="CASE@example.com")])


# --- user_create_staff ----------------------------------------------------------------


def test_create_staff_makes_a_staff_account_without_a_registration_event():
    # when
    user = services.user_create_staff(
        email="ops@seams.example", password=GOOD_PASSWORD, full_name="Ops", superuser=True
    )
    # then
    assert user.is_staff and user.is_superuser and user.is_active
    assert events_named("users.UserRegistered") == []


# --- user_update_profile --------------------------------------------------------------


def test_update_profile_changes_the_full_name_only():
    # given
    user = UserFactory(full_name="Old Name")
    # when
    services.user_update_profile(user_id=user.id, full_name="  New Name ")
    # then
    user.refresh_from_db()
    assert user.full_name == "New Name"


def test_update_profile_of_an_unknown_user_is_not_found():
    with pytest.raises(UserNotFound):
        services.user_update_profile(user_id=uuid.uuid4(), full_name="x")


# --- user_deactivate / user_reactivate -------------------------------------------------


def test_a_user_deactivates_themselves_and_the_event_is_published():
    # given
    user = UserFactory()
    # when
    services.user_deactivate(user_id=user.id, actor_id=user.id)
    # then
    user.refresh_from_db()
    assert not user.is_active
    assert user.deactivated_at is not None
    [payload] = events_named("users.UserDeactivated")
    assert payload["user_id"] == str(user.id)


def test_staff_deactivates_a_customer():
    # given
    staff, user = StaffUserFactory(), UserFactory()
    # when
    services.user_deactivate(user_id=user.id, actor_id=staff.id)
    # then
    user.refresh_from_db()
    assert not user.is_active


def test_a_customer_may_not_deactivate_someone_else():
    # given
    actor, victim = UserFactory(), UserFactory()
    # when / then
    with pytest.raises(NotAllowed) as raised:
        services.user_deactivate(user_id=victim.id, actor_id=actor.id)
    assert raised.value.http_status == 403
    victim.refresh_from_db()
    assert victim.is_active
    assert events_named("users.UserDeactivated") == []


def test_a_customer_learns_nothing_about_unknown_ids():
    # given
    actor = UserFactory()
    # when / then: refused before the target is looked up
    with pytest.raises(NotAllowed):
        services.user_deactivate(user_id=uuid.uuid4(), actor_id=actor.id)


def test_deactivated_staff_no_longer_counts_as_staff():
    # given
    staff, user = StaffUserFactory(is_active=False), UserFactory()
    # when / then
    with pytest.raises(NotAllowed):
        services.user_deactivate(user_id=user.id, actor_id=staff.id)


def test_only_a_superuser_deactivates_a_superuser():
    # given
    staff, superuser, other_superuser = StaffUserFactory(), SuperuserFactory(), SuperuserFactory()
    # when / then
    with pytest.raises(NotAllowed):
        services.user_deactivate(user_id=superuser.id, actor_id=staff.id)
    services.user_deactivate(user_id=superuser.id, actor_id=other_superuser.id)
    superuser.refresh_from_db()
    assert not superuser.is_active


def test_deactivating_twice_is_a_conflict_and_publishes_once():
    # given
    user = UserFactory()
    services.user_deactivate(user_id=user.id, actor_id=None)
    # when / then
    with pytest.raises(UserAlreadyInactive):
        services.user_deactivate(user_id=user.id, actor_id=None)
    assert len(events_named("users.UserDeactivated")) == 1


def test_deactivating_an_unknown_user_is_not_found():
    with pytest.raises(UserNotFound):
        services.user_deactivate(user_id=uuid.uuid4(), actor_id=None)


def test_reactivate_lets_the_account_back_in():
    # given
    user = UserFactory()
    services.user_deactivate(user_id=user.id, actor_id=None)
    # when
    services.user_reactivate(user_id=user.id)
    # then
    user.refresh_from_db()
    assert user.is_active and user.deactivated_at is None
    with pytest.raises(UserAlreadyActive):
        services.user_reactivate(user_id=user.id)
