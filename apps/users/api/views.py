"""Views of the users API: thin, one service or selector each.

Only ``request.user.pk`` and ``request.user.is_staff`` are read from the request's
user; the account itself is always loaded through the selectors.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import generics, status
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView
from rest_framework_simplejwt.views import TokenObtainPairView, TokenRefreshView

from apikit.auth.permissions import staff_with
from apikit.drf.openapi import error_response
from apps.users import selectors, services
from apps.users.api.serializers import (
    ProfileUpdateSerializer,
    RegisterSerializer,
    StaffUserSerializer,
    TokenPairSerializer,
    TokenRefreshSerializer,
    UserProfileSerializer,
)
from apps.users.api.throttles import AuthRateThrottle
from apps.users.filters import UserFilter
from apps.users.models import User

THROTTLED = error_response("Too many attempts from this client (`throttled`); retry later.")


class AuthEndpoint:
    """Open to anyone, throttled per client address by scope (see ``DEFAULT_THROTTLE_RATES``).

    No authentication runs: a stale ``Authorization`` header must not stop anyone
    from signing in again, and there is no session whose CSRF token to check.
    """

    authentication_classes: tuple[type, ...] = ()
    permission_classes = (AllowAny,)
    throttle_classes = (AuthRateThrottle,)


class RegisterView(AuthEndpoint, APIView):
    throttle_scope = "auth.register"

    @extend_schema(
        operation_id="auth_register",
        request=RegisterSerializer,
        responses={
            201: UserProfileSerializer,
            400: error_response("Invalid input (the schema says what is valid)."),
            422: error_response("A weak password the schema allows (`users.weak_password`)."),
            409: error_response("The email address has an account already (`users.email_taken`)."),
            429: THROTTLED,
        },
    )
    def post(self, request: Request) -> Response:
        """Create a customer account; a welcome email follows."""
        serializer = RegisterSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user = services.user_register(**serializer.validated_data)
        return Response(UserProfileSerializer(user).data, status=status.HTTP_201_CREATED)


class TokenObtainView(AuthEndpoint, TokenObtainPairView):
    serializer_class = TokenPairSerializer
    throttle_scope = "auth.token"

    @extend_schema(
        operation_id="auth_token_obtain",
        responses={
            200: TokenPairSerializer,
            401: error_response("Wrong email or password, or a deactivated account."),
            429: THROTTLED,
        },
    )
    def post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Exchange email and password for an access and a refresh token.

        The access token carries ``user_id``, ``email`` and ``is_staff``.
        """
        return super().post(request, *args, **kwargs)


class TokenRefreshAccessView(AuthEndpoint, TokenRefreshView):
    serializer_class = TokenRefreshSerializer
    throttle_scope = "auth.refresh"

    @extend_schema(
        operation_id="auth_token_refresh",
        responses={
            200: TokenRefreshSerializer,
            401: error_response(
                "The refresh token is invalid or expired, or the account inactive."
            ),
            429: THROTTLED,
        },
    )
    def post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Exchange a refresh token for a new access token."""
        return super().post(request, *args, **kwargs)


class MeView(APIView):
    @extend_schema(operation_id="users_me_retrieve", responses=UserProfileSerializer)
    def get(self, request: Request) -> Response:
        """The signed-in user's account."""
        user = selectors.user_get(user_id=request.user.pk)
        return Response(UserProfileSerializer(user).data)

    @extend_schema(
        operation_id="users_me_update",
        request=ProfileUpdateSerializer,
        responses={200: UserProfileSerializer, 400: error_response("Invalid input.")},
    )
    def patch(self, request: Request) -> Response:
        """Change the signed-in user's profile (the full name)."""
        serializer = ProfileUpdateSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        if "full_name" in serializer.validated_data:
            user = services.user_update_profile(
                user_id=request.user.pk, full_name=serializer.validated_data["full_name"]
            )
        else:
            user = selectors.user_get(user_id=request.user.pk)
        return Response(UserProfileSerializer(user).data)


class MeDeactivateView(APIView):
    @extend_schema(
        operation_id="users_me_deactivate",
        request=None,
        responses={200: UserProfileSerializer, 409: error_response("Deactivated already.")},
    )
    def post(self, request: Request) -> Response:
        """Close the signed-in user's own account; its tokens stop working at once."""
        user = services.user_deactivate(user_id=request.user.pk, actor_id=request.user.pk)
        return Response(UserProfileSerializer(user).data)


@extend_schema_view(get=extend_schema(operation_id="users_list"))
class UserListView(generics.ListAPIView):
    """Every account, newest first, with filters (staff only)."""

    permission_classes = (staff_with("users.view_user"),)
    serializer_class = StaffUserSerializer
    filterset_class = UserFilter

    def get_queryset(self) -> QuerySet[User]:
        return selectors.user_list()


class UserDetailView(APIView):
    permission_classes = (staff_with("users.view_user"),)

    @extend_schema(
        operation_id="users_retrieve",
        responses={200: StaffUserSerializer, 404: error_response("No such user.")},
    )
    def get(self, request: Request, user_id: UUID) -> Response:
        """One account (staff only)."""
        return Response(StaffUserSerializer(selectors.user_get(user_id=user_id)).data)


class UserDeactivateView(APIView):
    permission_classes = (staff_with("users.change_user"),)

    @extend_schema(
        operation_id="users_deactivate",
        request=None,
        responses={
            200: StaffUserSerializer,
            403: error_response("Not staff, or a superuser deactivated by a non-superuser."),
            404: error_response("No such user."),
            409: error_response("Deactivated already."),
        },
    )
    def post(self, request: Request, user_id: UUID) -> Response:
        """Deactivate an account (staff only); its pending orders are cancelled."""
        user = services.user_deactivate(user_id=user_id, actor_id=request.user.pk)
        return Response(StaffUserSerializer(user).data)
