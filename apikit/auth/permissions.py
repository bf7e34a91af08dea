"""DRF permissions for staff endpoints: staff status alone is not enough.

Staff endpoints demand the same Django model permission the admin asks for, so a
staff member who may only view orders in the admin cannot fulfil one through the
API either. Superusers have every permission.
"""

from __future__ import annotations

from typing import Any

from rest_framework.permissions import SAFE_METHODS, BasePermission
from rest_framework.request import Request


def _staff_has(request: Request, perm: str) -> bool:
    user = request.user
    return bool(user and user.is_authenticated and user.is_staff and user.has_perm(perm))


def staff_with(perm: str) -> type[BasePermission]:
    """Staff holding ``perm`` (``"<app_label>.<codename>"``), for every method."""

    class StaffWith(BasePermission):
        def has_permission(self, request: Request, view: Any) -> bool:
            return _staff_has(request, perm)

    StaffWith.__name__ = StaffWith.__qualname__ = f"StaffWith[{perm}]"
    return StaffWith


def read_anyone_write_staff_with(perm: str) -> type[BasePermission]:
    """Anyone may read (signed in or not); writing needs staff holding ``perm``."""

    class ReadAnyoneWriteStaffWith(BasePermission):
        def has_permission(self, request: Request, view: Any) -> bool:
            return request.method in SAFE_METHODS or _staff_has(request, perm)

    ReadAnyoneWriteStaffWith.__name__ = f"ReadAnyoneWriteStaffWith[{perm}]"
    return ReadAnyoneWriteStaffWith


def customer_scope(request: Request, *perms: str) -> Any:
    """Whose records the caller may reach with ``perms``: everybody's, or only their own.

    ``None`` (no restriction) for staff holding every one of ``perms``; otherwise
    the caller's own id, so staff without them are treated like any customer and
    another customer's record is answered 404, exactly as for customers.
    """
    if not perms:
        raise TypeError("customer_scope needs at least one permission")
    return None if staff_may(request, *perms) else request.user.pk


def staff_may(request: Request, *perms: str) -> bool:
    """Whether the caller is staff holding every one of ``perms``."""
    return all(_staff_has(request, perm) for perm in perms)
