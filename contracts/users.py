"""Contract of the users app: who a customer is, and whether they may buy."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from contracts.dto import dto
from contracts.errors import NotFound
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


class UserNotFound(NotFound):
    code = "users.user_not_found"
    default_message = "No such user."


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
