"""Contract of the users app: who a customer is, and whether they may buy."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from contracts.dto import dto
from contracts.errors import ContractError, NotFound
from contracts.events import Event, event
from contracts.services import Service, idempotent


@dto
class UserDTO:
    id: UUID
    email: str
    full_name: str
    is_active: bool
    is_staff: bool
    date_joined: datetime


@dto
class StaffIdentityDTO:
    """Who a staff member is and what they may do, for a service's local staff shadow.

    ``id`` is the account's id in the users app (the ``user_id`` claim of its JWTs);
    ``permissions`` are ``"<app_label>.<codename>"`` labels, direct and through
    groups (a superuser holds every permission whatever this lists).
    """

    id: UUID
    email: str
    full_name: str
    is_active: bool
    is_staff: bool
    is_superuser: bool
    permissions: tuple[str, ...]


class UserNotFound(NotFound):
    code = "users.user_not_found"
    default_message = "No such user."


class StaffAuthenticationFailed(ContractError):
    """Wrong email or password, or not an active staff account (never says which)."""

    code = "users.staff_authentication_failed"
    http_status = 401
    default_message = "No active staff account matches these credentials."


class UsersService(Service):
    owner = "users"

    @idempotent
    def get_user(self, *, user_id: UUID) -> UserDTO:
        """The user with ``user_id``; raises ``UserNotFound``."""
        raise NotImplementedError

    @idempotent
    def get_users(self, *, user_ids: tuple[UUID, ...]) -> tuple[UserDTO, ...]:
        """The users among ``user_ids`` that exist, in the order asked for."""
        raise NotImplementedError

    @idempotent
    def authenticate_staff(self, *, email: str, password: str) -> StaffIdentityDTO:
        """The active staff account with these credentials (an admin sign-in in any service).

        Raises ``StaffAuthenticationFailed`` for an unknown email, a wrong password,
        a deactivated account or a customer account alike.
        """
        raise NotImplementedError

    @idempotent
    def get_staff_identity(self, *, user_id: UUID) -> StaffIdentityDTO:
        """The current identity of an active staff account (refreshes a signed-in session).

        Raises ``StaffAuthenticationFailed`` when the account is gone, deactivated or
        no longer staff.
        """
        raise NotImplementedError


@event
class UserRegistered(Event):
    name = "users.UserRegistered"
    version = 1
    aggregate_field = "user_id"

    user_id: UUID
    email: str
    full_name: str


@event
class UserDeactivated(Event):
    name = "users.UserDeactivated"
    version = 1
    aggregate_field = "user_id"

    user_id: UUID
