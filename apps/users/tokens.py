"""JWTs issued by the users app: which claims they carry and why.

Every service verifies the access token on its own, from its claims alone
(``apikit.auth.authentication``), without asking the users app and without a users
table. So the token carries everything a service needs to authorise a request:

- ``user_id`` (simplejwt's claim), ``email``;
- ``is_staff`` and ``is_superuser``;
- ``perms``, for staff that are not superusers: every ``"<app_label>.<codename>"``
  permission the account holds (its own and its groups'), which the staff
  endpoints check with ``has_perm``. Customers hold none, so their tokens stay
  small; a superuser has every permission without listing them.

The claims are written when a token is issued and again on every refresh, so a
permission granted or removed takes effect at the account's next access token.
"""

from __future__ import annotations

from rest_framework_simplejwt.tokens import Token

from apps.users.models import User


def with_claims(token: Token, user: User) -> Token:
    """Write the current identity and permissions of ``user`` into ``token``.

    On a refresh token they are copied into every access token minted from it,
    which is why a refresh rewrites them first (see the refresh serializer).
    """
    token["email"] = user.email
    token["is_staff"] = user.is_staff
    token["is_superuser"] = user.is_superuser
    if user.is_staff and not user.is_superuser:
        token["perms"] = sorted(user.get_all_permissions())
    elif "perms" in token:
        del token["perms"]
    return token
