"""The local staff shadow: ``AUTH_USER_MODEL`` of every Seams process.

A row is written only by ``services.staff_shadow_sync`` from what the users
contract answered at an admin sign-in (or a session refresh). Its id is the
account's id in the users app, so admin log entries, sessions and JWT claims
all name the same person in every service. It never holds a password.
"""

from __future__ import annotations

from typing import Any, NoReturn

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models


class StaffUserManager(BaseUserManager["StaffUser"]):
    use_in_migrations = True

    def get_by_natural_key(self, username: str | None) -> StaffUser:
        return self.get(email=(username or "").strip().lower())

    def create_user(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise NotImplementedError(
            "staff accounts belong to the users app: run `manage.py create_staff` where "
            "users runs; each service fills its staff shadow at the admin sign-in"
        )

    create_superuser = create_user


class StaffUser(AbstractBaseUser, PermissionsMixin):
    id = models.UUIDField(primary_key=True, editable=False)
    email = models.EmailField(unique=True)
    full_name = models.CharField(max_length=150, blank=True)
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(default=False)
    # When the users contract last confirmed this identity and its permissions.
    synced_at = models.DateTimeField()

    objects = StaffUserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        ordering = ["email"]
        verbose_name = "staff sign-in"
        verbose_name_plural = "staff sign-ins"

    def __str__(self) -> str:
        return self.email

    def get_full_name(self) -> str:
        return self.full_name or self.email

    def get_short_name(self) -> str:
        return self.get_full_name()
