"""The end user a contract call is made for, carried from caller to provider.

The caller's process knows its end user from the request being served (the
``CurrentRequestMiddleware`` keeps it reachable, read only when a call is made,
after DRF has authenticated) or from the remote call it is itself serving. The
user travels in a signed header (id, email, staff and superuser flags and, for
staff, the permissions staff checks need); the provider reads it with ``end_user()``.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
from collections.abc import Callable, Iterator
from contextvars import ContextVar
from typing import Any

from django.http import HttpRequest, HttpResponse

HEADER = "Seams-End-User"
META_KEY = "HTTP_SEAMS_END_USER"


@dataclasses.dataclass(frozen=True, slots=True)
class EndUser:
    id: str
    email: str
    is_staff: bool
    # "<app_label>.<codename>" of a staff member; a superuser holds every permission,
    # so theirs are not listed (the header stays small).
    permissions: tuple[str, ...] = ()
    is_superuser: bool = False

    def has_perm(self, perm: str) -> bool:
        return self.is_superuser or perm in self.permissions

    def to_header(self) -> str:
        # ensure_ascii keeps the value a valid (latin-1) header whatever the email.
        return json.dumps(dataclasses.asdict(self), separators=(",", ":"), sort_keys=True)

    @classmethod
    def from_header(cls, value: str) -> EndUser | None:
        if not value:
            return None
        data = json.loads(value)
        return cls(
            id=str(data["id"]),
            email=str(data["email"]),
            is_staff=bool(data["is_staff"]),
            permissions=tuple(str(p) for p in data.get("permissions", ())),
            is_superuser=bool(data.get("is_superuser", False)),
        )


_request: ContextVar[HttpRequest | None] = ContextVar("seams_rpc_request", default=None)
_served: ContextVar[EndUser | None] = ContextVar("seams_rpc_end_user", default=None)
# Set while the RPC endpoint calls the provider, until the first contract call starts:
# that call is the one the remote caller asked for; the calls it makes are its own.
_call_served: ContextVar[bool] = ContextVar("seams_rpc_call_served", default=False)


class CurrentRequestMiddleware:
    """Keeps the request being served reachable by the contract calls it makes."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = _request.set(request)
        try:
            return self.get_response(request)
        finally:
            _request.reset(token)


def end_user() -> EndUser | None:
    """The end user the current work is done for (``None``: anonymous or a system task)."""
    served = _served.get()
    if served is not None:
        return served
    request = _request.get()
    user: Any = getattr(request, "user", None) if request is not None else None
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    is_superuser = bool(getattr(user, "is_superuser", False))
    permissions: tuple[str, ...] = ()
    if user.is_staff and not is_superuser and hasattr(user, "get_all_permissions"):
        permissions = tuple(sorted(user.get_all_permissions()))
    return EndUser(
        id=str(user.pk),
        email=str(user.email),
        is_staff=bool(user.is_staff),
        permissions=permissions,
        is_superuser=is_superuser,
    )


@contextlib.contextmanager
def serving(user: EndUser | None) -> Iterator[None]:
    """Run the block as the remote caller's end user; its first contract call is the
    call being served (see ``take_served_call``)."""
    token = _served.set(user)
    call_token = _call_served.set(True)
    try:
        yield
    finally:
        _call_served.reset(call_token)
        _served.reset(token)


def take_served_call() -> bool:
    """Whether the contract call starting now is the one a remote caller made (true for
    the first call of a ``serving`` block only)."""
    if not _call_served.get():
        return False
    _call_served.set(False)
    return True
