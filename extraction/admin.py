"""Admin screens for the outbox and the inbox."""

from __future__ import annotations

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from extraction.models import InboxEntry, OutboxEvent, OutboxStatus


@admin.register(OutboxEvent)
class OutboxEventAdmin(admin.ModelAdmin):
    list_display = (
        "id",
        "name",
        "version",
        "aggregate_id",
        "status",
        "attempts",
        "created_at",
        "published_at",
    )
    list_filter = ("status", "name")
    search_fields = ("event_id", "aggregate_id", "name")
    readonly_fields = [f.name for f in OutboxEvent._meta.fields]
    date_hierarchy = "created_at"
    actions = ["resubmit"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    @admin.action(description="Resubmit the selected failed or parked events")
    def resubmit(self, request: HttpRequest, queryset: QuerySet[OutboxEvent]) -> None:
        count = queryset.filter(status__in=(OutboxStatus.FAILED, OutboxStatus.PARKED)).update(
            status=OutboxStatus.PENDING, next_attempt_at=None, attempts=0
        )
        self.message_user(request, f"{count} event(s) resubmitted.", messages.SUCCESS)


@admin.register(InboxEntry)
class InboxEntryAdmin(admin.ModelAdmin):
    list_display = ("event_id", "event_name", "handler", "processed_at")
    list_filter = ("event_name", "handler")
    search_fields = ("event_id", "handler")
    readonly_fields = [f.name for f in InboxEntry._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False
