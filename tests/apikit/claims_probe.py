"""Run as a process of its own: stateless JWT authentication with no users app.

``python -m tests.apikit.claims_probe`` with ``SEAMS_SERVICES=orders,payments``
and a database that does not exist: every database access raises. It signs an
access token as the users app would, authenticates a request with it, asks the
principal the permission questions the staff endpoints ask, then consumes a
``UserDeactivated`` the way the process's event handlers do and authenticates
again. Prints one JSON object with what it saw.
"""

from __future__ import annotations

import json
import os
import uuid
from typing import Any

import django


def _no_database(*args: Any) -> Any:
    raise AssertionError("the database was touched")


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "project.settings")
    django.setup()
    from django.apps import apps
    from django.db import connection
    from rest_framework.test import APIRequestFactory
    from rest_framework_simplejwt.exceptions import AuthenticationFailed
    from rest_framework_simplejwt.tokens import AccessToken

    from apikit.auth.authentication import StatelessJWTAuthentication
    from apikit.auth.permissions import staff_with
    from contracts.events import subscriptions
    from contracts.users import UserDeactivated

    user_id = uuid.uuid4()
    token = AccessToken()
    token["user_id"] = str(user_id)
    token["email"] = "ops@seams.example"
    token["is_staff"] = True
    token["is_superuser"] = False
    token["perms"] = ["orders.change_order"]
    request = APIRequestFactory().get("/api/v1/orders", HTTP_AUTHORIZATION=f"Bearer {token}")
    result: dict[str, Any] = {"users_app_installed": apps.is_installed("apps.users")}
    with connection.execute_wrapper(_no_database):
        principal, _ = StatelessJWTAuthentication().authenticate(request)
        request.user = principal
        result.update(
            id_matches=principal.id == user_id and principal.pk == user_id,
            email=principal.email,
            is_authenticated=principal.is_authenticated,
            is_staff=principal.is_staff,
            may_change_order=staff_with("orders.change_order")().has_permission(request, None),
            may_refund=staff_with("payments.change_payment")().has_permission(request, None),
        )
        handlers = [s for s in subscriptions(UserDeactivated) if "refuse_tokens" in s.key]
        result["revocation_services"] = sorted(s.service for s in handlers)
        for subscription in handlers:
            subscription.handler(UserDeactivated(user_id=user_id))
        try:
            StatelessJWTAuthentication().authenticate(request)
            result["after_deactivation"] = "accepted"
        except AuthenticationFailed as exc:
            result["after_deactivation"] = exc.detail["code"]
    print(json.dumps(result))


if __name__ == "__main__":
    main()
