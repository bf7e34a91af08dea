"""Reads of the users app."""

from __future__ import annotations

from collections.abc import Iterable
from uuid import UUID

from django.db.models import QuerySet

from apikit import rows
from apps.users.models import User
from contracts.users import UserNotFound

# Every order placed checks its customer here: the SQL is written once (apikit.rows).
_USER_BY_ID = rows.Lookup(User, "id")


def user_get(*, user_id: UUID) -> User:
    user: User | None = _USER_BY_ID(user_id)
    if user is None:
        raise UserNotFound(details={"user_id": str(user_id)})
    return user


def user_get_by_email(*, email: str) -> User:
    email = User.objects.normalize_email(email)
    user = User.objects.filter(email=email).first()
    if user is None:
        raise UserNotFound(details={"email": email})
    return user


def user_find(*, user_id: UUID) -> User | None:
    """The user, or ``None`` when the account is gone (tasks that outlive it)."""
    return User.objects.filter(id=user_id).first()


def user_list_by_ids(*, user_ids: Iterable[UUID]) -> list[User]:
    wanted = list(dict.fromkeys(user_ids))
    found = {u.id: u for u in User.objects.filter(id__in=wanted)}
    return [found[i] for i in wanted if i in found]


def user_list() -> QuerySet[User]:
    """Every account, newest first (the staff list; filters are applied on top)."""
    return User.objects.order_by("-date_joined", "email")
