"""Writes of the users app."""

from __future__ import annotations

from uuid import UUID

from django.db import transaction

from apps.users.error_codes import EmailTaken, UserAlreadyInactive
from apps.users.models import User
from contracts import publish
from contracts.users import UserDeactivated, UserNotFound, UserRegistered


@transaction.atomic
def user_register(*, email: str, password: str, full_name: str = "") -> User:
    email = User.objects.normalize_email(email).lower()
    if User.objects.filter(email=email).exists():
        raise EmailTaken(details={"email": email})
    user = User.objects.create_user(email=email, password=password, full_name=full_name)
    publish(UserRegistered(user_id=user.id, email=user.email, full_name=user.full_name))
    return user


@transaction.atomic
def user_deactivate(*, user_id: UUID) -> User:
    user = User.objects.select_for_update().filter(id=user_id).first()
    if user is None:
        raise UserNotFound(details={"user_id": str(user_id)})
    if not user.is_active:
        raise UserAlreadyInactive(details={"user_id": str(user_id)})
    user.is_active = False
    user.save(update_fields=["is_active"])
    publish(UserDeactivated(user_id=user.id))
    return user
