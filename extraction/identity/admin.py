"""The staff shadow in the admin: who signed in to this process, read-only."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from extraction.identity.models import StaffUser


@admin.register(StaffUser)
class StaffUserAdmin(admin.ModelAdmin):
    list_display = ("email", "full_name", "is_active", "is_staff", "is_superuser", "last_login")
    list_filter = ("is_active", "is_staff", "is_superuser")
    search_fields = ("email", "full_name")
    ordering = ("email",)
    fields = (
        "id",
        "email",
        "full_name",
        "is_active",
        "is_staff",
        "is_superuser",
        "user_permissions",
        "synced_at",
        "last_login",
    )
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
