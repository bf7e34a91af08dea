"""Writes of the users app.

Every change of an account goes through here, whether it comes from the API, the
admin or a management command, so the password rules, the uniqueness of emails
and the events are the same on every path.
"""

from __future__ import annotations

from uuid import UUID

from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from apps.users.error_codes import (
    EmailTaken,
    NotAllowed,
    UserAlreadyActive,
    UserAlreadyInactive,
    WeakPassword,
)
from apps.users.models import User
from contracts import publish
from contracts.users import UserDeactivated, UserNotFound, UserRegistered


def _check_password(password: str, *, email: str, full_name: str) -> None:
    # An unsaved instance lets the similarity validator compare the password
    # with the email and name the account is about to get.
    candidate = User(email=email, full_name=full_name)
    try:
        password_validation.validate_password(password, user=candidate)
    except ValidationError as exc:
        raise WeakPassword(details={"password": list(exc.messages)}) from None


def _create(*, email: str, password: str, full_name: str, **flags: bool) -> User:
    email = User.objects.normalize_email(email)
    _check_password(password, email=email, full_name=full_name)
    if User.objects.filter(email=email).exists():
        raise EmailTaken(details={"email": email})
    try:
        # A savepoint, so that losing a race with a concurrent sign-up on the
        # unique index leaves the caller's transaction usable.
        with transaction.atomic():
            return User.objects.create_user(
                email=email, password=password, full_name=full_name, **flags
            )
    except IntegrityError:
        raise EmailTaken(details={"email": email}) from None


def _locked(user_id: UUID) -> User:
    user = User.objects.select_for_update().filter(id=user_id).first()
    if user is None:
        raise UserNotFound(details={"user_id": str(user_id)})
    return user


def user_authenticate(*, email: str, password: str) -> User | None:
    """The active account with these credentials, or ``None`` (API sign-in, admin sign-in).

    An unknown address costs one password hash too, like Django's ModelBackend, so
    the answer time does not tell which addresses have an account. A correct
    password stored with an outdated hasher is re-hashed (``check_password``).
    """
    user = User.objects.filter(email=User.objects.normalize_email(email)).first()
    if user is None:
        User().set_password(password)
        return None
    if not user.check_password(password) or not user.is_active:
        return None
    return user


@transaction.atomic
def user_register(*, email: str, password: str, full_name: str = "") -> User:
    """A customer signs up; announces ``UserRegistered`` (which sends the welcome email)."""
    user = _create(email=email, password=password, full_name=full_name.strip())
    publish(UserRegistered(user_id=user.id, email=user.email, full_name=user.full_name))
    return user


@transaction.atomic
def user_create_staff(
    *, email: str, password: str, full_name: str = "", superuser: bool = False
) -> User:
    """An operator creates a staff account (no welcome email: it is not a customer)."""
    return _create(
        email=email,
        password=password,
        full_name=full_name.strip(),
        is_staff=True,
        is_superuser=superuser,
    )


@transaction.atomic
def user_update_profile(*, user_id: UUID, full_name: str) -> User:
    user = _locked(user_id)
    user.full_name = full_name.strip()
    user.save(update_fields=["full_name"])
    return user


@transaction.atomic
def user_deactivate(*, user_id: UUID, actor_id: UUID | None) -> User:
    """Deactivate an account and announce ``UserDeactivated``.

    ``actor_id`` is who asks: the account itself or an active staff member (only a
    superuser may deactivate a superuser). ``None`` means an operator acting
    outside the API, e.g. ``manage.py deactivate_user``, who is trusted.
    """
    if actor_id is not None and actor_id != user_id:
        # Checked before the target is looked up, so a customer cannot probe
        # which account ids exist.
        actor = User.objects.filter(id=actor_id, is_active=True, is_staff=True).first()
        if actor is None:
            raise NotAllowed(details={"user_id": str(user_id)})
    else:
        actor = None
    user = _locked(user_id)
    if actor is not None and user.is_superuser and not actor.is_superuser:
        raise NotAllowed(
            "Only a superuser may deactivate a superuser.", details={"user_id": str(user_id)}
        )
    if not user.is_active:
        raise UserAlreadyInactive(details={"user_id": str(user_id)})
    user.is_active = False
    user.deactivated_at = timezone.now()
    user.save(update_fields=["is_active", "deactivated_at"])
    publish(UserDeactivated(user_id=user.id))
    return user


@transaction.atomic
def user_reactivate(*, user_id: UUID) -> User:
    """Let a deactivated account sign in again (staff only: the admin and commands).

    No event: what other apps did on deactivation (cancelled orders) stays done.
    """
    user = _locked(user_id)
    if user.is_active:
        raise UserAlreadyActive(details={"user_id": str(user_id)})
    user.is_active = True
    user.deactivated_at = None
    user.save(update_fields=["is_active", "deactivated_at"])
    return user
