"""Serializers of the users API; each has its own component name in the schema."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from rest_framework import exceptions, serializers
from rest_framework_simplejwt.serializers import TokenObtainPairSerializer
from rest_framework_simplejwt.settings import api_settings as jwt_settings
from rest_framework_simplejwt.tokens import RefreshToken, Token

from apps.users import selectors
from apps.users.models import User
from apps.users.tokens import with_claims


class RegisterSerializer(serializers.Serializer):
    email = serializers.EmailField(max_length=254)
    password = serializers.CharField(
        write_only=True, trim_whitespace=False, max_length=128, style={"input_type": "password"}
    )
    full_name = serializers.CharField(max_length=150, required=False, allow_blank=True)

    class Meta:
        ref_name = "UserRegistration"


class UserProfileSerializer(serializers.ModelSerializer):
    class Meta:
        model = User
        fields = ["id", "email", "full_name", "is_active", "is_staff", "date_joined"]
        read_only_fields = fields
        ref_name = "UserProfile"


class ProfileUpdateSerializer(serializers.Serializer):
    full_name = serializers.CharField(max_length=150, allow_blank=True)

    class Meta:
        ref_name = "UserProfileUpdate"


class StaffUserSerializer(serializers.ModelSerializer):
    class Meta:
        model = User
        fields = [
            "id",
            "email",
            "full_name",
            "is_active",
            "is_staff",
            "is_superuser",
            "date_joined",
            "last_login",
            "deactivated_at",
        ]
        read_only_fields = fields
        ref_name = "StaffUser"


class TokenPairSerializer(TokenObtainPairSerializer):
    """Email and password in, an access and a refresh token out."""

    access = serializers.CharField(read_only=True)
    refresh = serializers.CharField(read_only=True)

    class Meta:
        ref_name = "TokenPair"

    @classmethod
    def get_token(cls, user: Any) -> Token:
        return with_claims(super().get_token(user), user)


class TokenRefreshSerializer(serializers.Serializer):
    """A refresh token in, a new access token out, with the user's current claims.

    simplejwt's own refresh copies the claims frozen at sign-in and fails with a
    500 when the account was deleted; this one reloads the account, refuses it
    when it is gone or deactivated, and rewrites ``email`` and ``is_staff``.
    """

    refresh = serializers.CharField(write_only=True)
    access = serializers.CharField(read_only=True)

    class Meta:
        ref_name = "TokenRefresh"

    def validate(self, attrs: dict[str, Any]) -> dict[str, str]:
        # TokenError (bad signature, expired, wrong type) is turned into a 401
        # by simplejwt's view.
        refresh = RefreshToken(attrs["refresh"])
        try:
            user_id = UUID(str(refresh.get(jwt_settings.USER_ID_CLAIM)))
        except ValueError:
            raise exceptions.AuthenticationFailed(code="token_not_valid") from None
        user = selectors.user_find(user_id=user_id)
        if user is None or not user.is_active:
            raise exceptions.AuthenticationFailed(
                "No active account found for the given token.", code="no_active_account"
            )
        with_claims(refresh, user)
        return {"access": str(refresh.access_token)}
