"""Error codes of the users app (the contract's own errors live in contracts.users)."""

from contracts.errors import Conflict


class EmailTaken(Conflict):
    code = "users.email_taken"
    default_message = "An account with this email address exists already."


class UserAlreadyInactive(Conflict):
    code = "users.already_inactive"
    default_message = "This account is deactivated already."
