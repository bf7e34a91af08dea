"""Serializers of the users API; each has its own component name in the schema."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.contrib.auth.models import update_last_login
from django.core.validators import RegexValidator
from rest_framework import exceptions, serializers
from rest_framework_simplejwt.serializers import TokenObtainPairSerializer
from rest_framework_simplejwt.settings import api_settings as jwt_settings
from rest_framework_simplejwt.tokens import RefreshToken, Token

from apikit.drf.strict_input import StrictJSONTypesMixin
from apps.users import selectors, services
from apps.users.models import User
from apps.users.tokens import with_claims

# What the schema can say of a good password: 8 to 128 characters, not all digits,
# no NUL. The rest (too common, too close to the email) is refused with 422
# users.weak_password, a rule no pattern can state.
PASSWORD_PATTERN = r"^[^\x00]*[^\x00\d][^\x00]*$"  # noqa: S105 - a pattern, not a password


class RegisterSerializer(StrictJSONTypesMixin, serializers.Serializer):
    email = serializers.EmailField(max_length=254)
    password = serializers.CharField(
        write_only=True,
        trim_whitespace=False,
        min_length=8,
        max_length=128,
        validators=[RegexValidator(PASSWORD_PATTERN, "Not only digits, and no NUL.")],
        style={"input_type": "password"},
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


class ProfileUpdateSerializer(StrictJSONTypesMixin, serializers.Serializer):
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


class TokenPairSerializer(StrictJSONTypesMixin, TokenObtainPairSerializer):
    """Email and password in, an access and a refresh token out."""

    # The credentials are checked against the users app's own accounts
    # (services.user_authenticate), not through Django's authentication backends:
    # those sign staff in to the admin as the local staff shadow (docs/identity.md).
    username_field = User.USERNAME_FIELD
    access = serializers.CharField(read_only=True)
    refresh = serializers.CharField(read_only=True)

    class Meta:
        ref_name = "TokenPair"

    def validate(self, attrs: dict[str, Any]) -> dict[str, str]:
        user = services.user_authenticate(
            email=attrs[self.username_field], password=attrs["password"]
        )
        if user is None:
            raise exceptions.AuthenticationFailed(
                self.error_messages["no_active_account"], "no_active_account"
            )
        refresh = self.get_token(user)
        if jwt_settings.UPDATE_LAST_LOGIN:
            update_last_login(None, user)
        return {"refresh": str(refresh), "access": str(refresh.access_token)}

    @classmethod
    def get_token(cls, user: Any) -> Token:
        return with_claims(super().get_token(user), user)


class TokenRefreshSerializer(StrictJSONTypesMixin, serializers.Serializer):
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
