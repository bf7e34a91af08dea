"""Stateless JWT authentication: the request's user is built from the token alone.

Every service verifies the access token with the shared signing key and builds
its principal from the claims, without reading a users table (a process that
does not run the users app has none) and without a call to the users app. The
principal answers what the permission checks ask (``is_staff``,
``is_superuser``, ``has_perm``) from the claims the issuer wrote:

``user_id``, ``email``, ``is_staff``, ``is_superuser``, and for staff ``perms``,
the ``"<app_label>.<codename>"`` permissions the account held when the token was
issued.

The one thing the claims cannot tell is that the account was deactivated since:
each request reads the revocation denylist in the shared cache (see
``apikit.auth.revocation``), a cache read and never a database one.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import cached_property
from typing import Any
from uuid import UUID

from rest_framework_simplejwt.authentication import JWTStatelessUserAuthentication
from rest_framework_simplejwt.exceptions import AuthenticationFailed, InvalidToken
from rest_framework_simplejwt.models import TokenUser
from rest_framework_simplejwt.settings import api_settings
from rest_framework_simplejwt.tokens import Token

from apikit.auth.revocation import revoked_until


class ClaimsUser(TokenUser):
    """The request's user as the access token describes it (simplejwt's ``TokenUser``).

    ``id``/``pk`` are UUIDs like the accounts' primary keys, so views compare them
    with stored ids as they would a model instance's. Permissions come from the
    ``perms`` claim; a superuser has them all, as with Django's ``ModelBackend``.
    """

    @cached_property
    def id(self) -> UUID:  # type: ignore[override]
        return UUID(str(self.token[api_settings.USER_ID_CLAIM]))

    @cached_property
    def pk(self) -> UUID:  # type: ignore[override]
        return self.id

    @cached_property
    def email(self) -> str:
        return str(self.token.get("email", ""))

    @cached_property
    def username(self) -> str:
        return self.email

    @cached_property
    def is_staff(self) -> bool:
        return self.token.get("is_staff") is True

    @cached_property
    def is_superuser(self) -> bool:
        return self.token.get("is_superuser") is True

    @cached_property
    def perms(self) -> frozenset[str]:
        claimed = self.token.get("perms") or ()
        return frozenset(str(p) for p in claimed) if isinstance(claimed, list) else frozenset()

    def __str__(self) -> str:
        return self.email or str(self.id)

    def get_all_permissions(self, obj: object | None = None) -> set[str]:
        return set(self.perms)

    def has_perm(self, perm: str, obj: object | None = None) -> bool:
        return self.is_active and (self.is_superuser or perm in self.perms)

    def has_perms(self, perm_list: Iterable[str], obj: object | None = None) -> bool:
        return all(self.has_perm(perm, obj) for perm in perm_list)

    def has_module_perms(self, module: str) -> bool:
        prefix = f"{module}."
        return self.is_active and (
            self.is_superuser or any(p.startswith(prefix) for p in self.perms)
        )


class StatelessJWTAuthentication(JWTStatelessUserAuthentication):
    """simplejwt's stateless authentication, plus the revocation denylist.

    Answers 401 ``authentication_failed`` (``details.code``: ``token_not_valid``
    for a bad, expired or foreign token, ``user_inactive`` for a token of an
    account deactivated after it was issued).
    """

    def get_user(self, validated_token: Token) -> Any:
        user = super().get_user(validated_token)
        try:
            user_id = user.id
        except ValueError:
            raise InvalidToken("Token contained no recognizable user identification") from None
        cut_off = revoked_until(user_id)
        issued_at = validated_token.get("iat")
        if cut_off is not None and (not isinstance(issued_at, int | float) or issued_at <= cut_off):
            raise AuthenticationFailed("User is inactive", code="user_inactive")
        return user
