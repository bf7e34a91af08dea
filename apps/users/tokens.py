"""JWTs issued by the users app: which claims they carry and why.

Every service verifies the access token on its own, without asking the users
app, so the token carries what a service needs to authorise a request: the user
id (simplejwt's ``user_id``), ``email`` and ``is_staff``.
"""

from __future__ import annotations

from rest_framework_simplejwt.tokens import Token

from apps.users.models import User


def with_claims(token: Token, user: User) -> Token:
    """Write the current ``email`` and ``is_staff`` of ``user`` into ``token``.

    On a refresh token they are copied into every access token minted from it,
    which is why a refresh rewrites them first (see the refresh serializer).
    """
    token["email"] = user.email
    token["is_staff"] = user.is_staff
    return token
