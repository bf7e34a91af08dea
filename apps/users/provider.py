"""The local implementation of ``contracts.users.UsersService``."""

from __future__ import annotations

from uuid import UUID

from apps.users import selectors, services
from apps.users.models import User
from contracts.users import StaffAuthenticationFailed, StaffIdentityDTO, UserDTO, UsersService


def to_dto(user: User) -> UserDTO:
    return UserDTO(
        id=user.id,
        email=user.email,
        full_name=user.full_name,
        is_active=user.is_active,
        is_staff=user.is_staff,
        date_joined=user.date_joined,
    )


def to_staff_identity(user: User) -> StaffIdentityDTO:
    if not (user.is_active and user.is_staff):
        raise StaffAuthenticationFailed()
    return StaffIdentityDTO(
        id=user.id,
        email=user.email,
        full_name=user.full_name,
        is_active=user.is_active,
        is_staff=user.is_staff,
        is_superuser=user.is_superuser,
        permissions=tuple(sorted(user.get_all_permissions())),
    )


class UsersProvider(UsersService):
    def get_user(self, *, user_id: UUID) -> UserDTO:
        return to_dto(selectors.user_get(user_id=user_id))

    def get_users(self, *, user_ids: tuple[UUID, ...]) -> tuple[UserDTO, ...]:
        return tuple(to_dto(u) for u in selectors.user_list_by_ids(user_ids=user_ids))

    def authenticate_staff(self, *, email: str, password: str) -> StaffIdentityDTO:
        user = services.user_authenticate(email=email, password=password)
        if user is None:
            raise StaffAuthenticationFailed()
        return to_staff_identity(user)

    def get_staff_identity(self, *, user_id: UUID) -> StaffIdentityDTO:
        user = selectors.user_find(user_id=user_id)
        if user is None:
            raise StaffAuthenticationFailed()
        return to_staff_identity(user)
