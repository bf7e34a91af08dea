"""Error codes of the users app (the contract's own errors live in contracts.users)."""

from contracts.errors import Conflict, ContractError


class EmailTaken(Conflict):
    code = "users.email_taken"
    default_message = "An account with this email address exists already."


class UserAlreadyInactive(Conflict):
    code = "users.already_inactive"
    default_message = "This account is deactivated already."


class UserAlreadyActive(Conflict):
    code = "users.already_active"
    default_message = "This account is active already."


class WeakPassword(ContractError):
    """The password fails Django's password validators; ``details["password"]`` says why."""

    code = "users.weak_password"
    http_status = 422
    default_message = "The password is too weak."


class NotAllowed(ContractError):
    code = "users.not_allowed"
    http_status = 403
    default_message = "You may not do this to that account."
