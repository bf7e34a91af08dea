"""JWT authentication of the process that owns the accounts.

simplejwt loads the token's user from ``AUTH_USER_MODEL``, which is the local
staff shadow (docs/identity.md), not the account. Where the users app runs, the
account is reloaded instead, so a deactivated account's tokens stop working on
their next request.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.contrib.rest_framework_simplejwt import SimpleJWTScheme
from rest_framework_simplejwt.authentication import JWTAuthentication

from apps.users.models import User


class AccountJWTAuthentication(JWTAuthentication):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user_model = User


class AccountJWTScheme(SimpleJWTScheme):
    """The same ``jwtAuth`` security scheme in the OpenAPI schema as simplejwt's own."""

    target_class = "apps.users.authentication.AccountJWTAuthentication"
