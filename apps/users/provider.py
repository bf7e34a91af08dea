"""The local implementation of ``contracts.users.UsersService``."""

from __future__ import annotations

from uuid import UUID

from apps.users import selectors
from apps.users.models import User
from contracts.users import UserDTO, UsersService


def to_dto(user: User) -> UserDTO:
    return UserDTO(
        id=user.id,
        email=user.email,
        full_name=user.full_name,
        is_active=user.is_active,
        is_staff=user.is_staff,
        date_joined=user.date_joined,
    )


class UsersProvider(UsersService):
    def get_user(self, *, user_id: UUID) -> UserDTO:
        return to_dto(selectors.user_get(user_id=user_id))

    def get_users(self, *, user_ids: tuple[UUID, ...]) -> tuple[UserDTO, ...]:
        return tuple(to_dto(u) for u in selectors.user_list_by_ids(user_ids=user_ids))
