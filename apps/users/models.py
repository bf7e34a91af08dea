"""The customer and staff account: email login, UUID identity, staff grants.

This is not Django's ``AUTH_USER_MODEL``: every process, this one included, signs
staff in to its admin as a local shadow (``identity.StaffUser``) filled through
``UsersService.authenticate_staff`` (see docs/identity.md). The account keeps the
credentials and the staff grants (superuser flag, permissions, groups);
``get_all_permissions`` still answers from them (Django's ModelBackend reads the
object's own ``user_permissions`` and ``groups``).
"""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib.auth.models import (
    AbstractBaseUser,
    BaseUserManager,
    Group,
    Permission,
    PermissionsMixin,
)
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    @classmethod
    def normalize_email(cls, email: str | None) -> str:
        # Addresses are compared case-insensitively everywhere (login, uniqueness),
        # so they are stored lower-cased once, here.
        return super().normalize_email(email).strip().lower()

    def get_by_natural_key(self, username: str | None) -> User:
        return self.get(email=self.normalize_email(username))

    def create_user(self, email: str, password: str | None = None, **fields: Any) -> User:
        if not email:
            raise ValueError("an email address is required")
        user = self.model(email=self.normalize_email(email), **fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **fields: Any) -> User:
        fields.setdefault("is_staff", True)
        fields.setdefault("is_superuser", True)
        return self.create_user(email, password, **fields)


class User(AbstractBaseUser, PermissionsMixin):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    email = models.EmailField(unique=True)
    full_name = models.CharField(max_length=150, blank=True)
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(default=False)
    date_joined = models.DateTimeField(default=timezone.now)
    # Set by ``user_deactivate`` and cleared by ``user_reactivate``: when and
    # therefore whether the UserDeactivated event went out for this account.
    deactivated_at = models.DateTimeField(null=True, blank=True, editable=False)
    # PermissionsMixin's relations, renamed: the reverse names "user_set"/"user"
    # belong to AUTH_USER_MODEL (the staff shadow).
    groups = models.ManyToManyField(
        Group,
        blank=True,
        related_name="accounts",
        related_query_name="account",
        help_text="A staff member gets every permission of each of their groups.",
    )
    user_permissions = models.ManyToManyField(
        Permission,
        blank=True,
        related_name="accounts",
        related_query_name="account",
        help_text="Permissions granted to this staff member directly.",
    )

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        ordering = ["email"]
        constraints = [
            # The manager lower-cases addresses; this keeps a raw insert (or the
            # admin) from creating "Ada@x" next to "ada@x".
            models.UniqueConstraint(Lower("email"), name="users_user_email_ci_unique"),
        ]

    def __str__(self) -> str:
        return self.email
