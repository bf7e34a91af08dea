"""One JSON shape for every API error: ``{"code", "message", "details"}``.

Contract errors carry their own stable code and HTTP status; DRF's exceptions
are mapped to codes of the same form. Views never build error bodies by hand.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import OperationalError
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from contracts.errors import ContractError, ServiceUnavailable

# DRF's own ``default_code`` is the code, except where these read better or must
# stay stable: simplejwt's InvalidToken (an AuthenticationFailed) would otherwise
# answer "token_not_valid" where every other failed sign-in says this.
_CODE_OVERRIDES = (
    (exceptions.ParseError, "malformed_request"),
    (exceptions.AuthenticationFailed, "authentication_failed"),
)


def error_body(code: str, message: str, details: Any = None) -> dict[str, Any]:
    return {"code": code, "message": message, "details": details or {}}


# SQLite (the embedded default) serialises writers; a request that waited the whole
# busy timeout for the write lock is told to come back, not shown a 500.
DATABASE_BUSY_RETRY_AFTER_SECONDS = 2


def _database_busy(exc: Exception) -> bool:
    return isinstance(exc, OperationalError) and "database is locked" in str(exc)


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, ContractError):
        # A provider this request needs is down (or its breaker is open): say when to retry.
        retry = isinstance(exc, ServiceUnavailable)
        headers = {"Retry-After": str(exc.retry_after_seconds)} if retry else None
        return Response(exc.as_dict(), status=exc.http_status, headers=headers)
    if _database_busy(exc):
        return Response(
            error_body("database_busy", "The database is busy; retry in a moment."),
            status=status.HTTP_503_SERVICE_UNAVAILABLE,
            headers={"Retry-After": str(DATABASE_BUSY_RETRY_AFTER_SECONDS)},
        )
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    response = drf_exception_handler(exc, context)
    if response is None or not isinstance(exc, exceptions.APIException):
        return response
    code = next((c for cls, c in _CODE_OVERRIDES if isinstance(exc, cls)), exc.default_code)
    if isinstance(exc, exceptions.ValidationError):
        details = exc.detail if isinstance(exc.detail, dict) else {"non_field_errors": exc.detail}
        response.data = error_body(code, "The request is not valid.", details)
    elif isinstance(exc.detail, dict):
        # simplejwt's InvalidToken carries {"detail", "code", "messages"}: the
        # sentence is the message, the rest (why the token failed) the details.
        details = {k: v for k, v in exc.detail.items() if k != "detail"}
        response.data = error_body(code, str(exc.detail.get("detail", exc.default_detail)), details)
    else:
        response.data = error_body(code, str(exc.detail))
    if response.status_code == status.HTTP_429_TOO_MANY_REQUESTS:
        response.data["details"] = {"retry_after_seconds": getattr(exc, "wait", None)}
    return response
