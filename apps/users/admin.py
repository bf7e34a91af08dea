"""Admin screens of the users app.

``is_active`` is read-only in the change form: deactivating goes through the
"Deactivate selected users" action, i.e. through ``user_deactivate``, so the
UserDeactivated event is published (a ticked-off checkbox would not publish it).
"""

from __future__ import annotations

import uuid
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import BaseUserCreationForm
from django.contrib.auth.forms import UserChangeForm as DjangoUserChangeForm
from django.db.models import QuerySet
from django.http import HttpRequest

from apikit.admin import CountOnceAdmin
from apps.users import services
from apps.users.models import User
from contracts.errors import ContractError


class UserCreationForm(BaseUserCreationForm):
    class Meta:
        model = User
        fields = ("email", "full_name")

    def clean_email(self) -> str:
        email = User.objects.normalize_email(self.cleaned_data["email"])
        if User.objects.filter(email=email).exists():
            raise forms.ValidationError("An account with this email address exists already.")
        return email


class UserChangeForm(DjangoUserChangeForm):
    class Meta:
        model = User
        fields = "__all__"

    def clean_email(self) -> str:
        email = User.objects.normalize_email(self.cleaned_data["email"])
        if User.objects.filter(email=email).exclude(pk=self.instance.pk).exists():
            raise forms.ValidationError("An account with this email address exists already.")
        return email


@admin.register(User)
class UserAdmin(CountOnceAdmin, DjangoUserAdmin):
    form = UserChangeForm
    add_form = UserCreationForm
    ordering = ("email",)
    list_display = (
        "email",
        "full_name",
        "is_active",
        "is_staff",
        "is_superuser",
        "date_joined",
        "last_login",
    )
    list_filter = ("is_active", "is_staff", "is_superuser", "date_joined")
    search_fields = ("email", "full_name")
    search_help_text = "Part of the email or the name, or a whole user id."
    date_hierarchy = "date_joined"
    readonly_fields = ("id", "is_active", "deactivated_at", "date_joined", "last_login")
    actions = ("deactivate_selected", "reactivate_selected")
    fieldsets = (
        (None, {"fields": ("id", "email", "password")}),
        ("Profile", {"fields": ("full_name",)}),
        ("Status", {"fields": ("is_active", "deactivated_at")}),
        (
            "Permissions",
            {"fields": ("is_staff", "is_superuser", "groups", "user_permissions")},
        ),
        ("Dates", {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (None, {"classes": ("wide",), "fields": ("email", "full_name", "password1", "password2")}),
    )

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[User], search_term: str
    ) -> tuple[QuerySet[User], bool]:
        results, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        try:
            user_id = uuid.UUID(search_term.strip())
        except ValueError:
            return results, may_have_duplicates
        return results | queryset.filter(id=user_id), may_have_duplicates

    @admin.action(description="Deactivate selected users", permissions=["change"])
    def deactivate_selected(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        self._apply(
            request,
            queryset,
            lambda user: services.user_deactivate(user_id=user.id, actor_id=request.user.pk),
            done="Deactivated",
        )

    @admin.action(description="Reactivate selected users", permissions=["change"])
    def reactivate_selected(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        self._apply(
            request,
            queryset,
            lambda user: services.user_reactivate(user_id=user.id),
            done="Reactivated",
        )

    def _apply(
        self, request: HttpRequest, queryset: QuerySet[User], change: Any, done: str
    ) -> None:
        # One service call (one transaction, one event) per account, so one
        # refusal does not undo the others.
        changed: list[str] = []
        refused: list[str] = []
        for user in queryset.order_by("email"):
            try:
                change(user)
            except ContractError as exc:
                refused.append(f"{user.email} ({exc.message})")
            else:
                changed.append(user.email)
        if changed:
            self.message_user(request, f"{done} {len(changed)} user(s).", messages.SUCCESS)
        if refused:
            self.message_user(request, "Skipped: " + "; ".join(refused), messages.WARNING)
