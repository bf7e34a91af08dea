"""Admin screens for the outbox, the inbox, the consumers' failed deliveries and operations."""

from __future__ import annotations

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest
from django.template.response import TemplateResponse
from django.urls import reverse

from apikit.admin import CountOnceAdmin
from extraction.models import (
    DeliveryFailure,
    DeliveryStatus,
    InboxEntry,
    Operations,
    OutboxEvent,
)
from extraction.services import RESUBMITTABLE, delivery_resubmit, outbox_resubmit


class ReadOnlyAdmin(CountOnceAdmin, admin.ModelAdmin):
    """Rows are written by the machinery; people only look and resubmit."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_resubmit_permission(self, request: HttpRequest) -> bool:
        # Rows are never edited, so the model's change permission means "may resubmit".
        opts = self.model._meta
        return request.user.has_perm(f"{opts.app_label}.change_{opts.model_name}")


@admin.register(OutboxEvent)
class OutboxEventAdmin(ReadOnlyAdmin):
    list_display = (
        "id",
        "name",
        "version",
        "aggregate_id",
        "status",
        "attempts",
        "created_at",
        "last_attempt_at",
        "published_at",
    )
    list_filter = ("status", "name")
    search_fields = ("event_id", "aggregate_id", "name")
    date_hierarchy = "created_at"
    actions = ["resubmit"]

    @admin.action(
        description="Resubmit the selected failed or parked events", permissions=["resubmit"]
    )
    def resubmit(self, request: HttpRequest, queryset: QuerySet[OutboxEvent]) -> None:
        ids = list(queryset.filter(status__in=RESUBMITTABLE).values_list("id", flat=True))
        count = outbox_resubmit(ids=ids) if ids else 0
        self.message_user(request, f"{count} event(s) resubmitted.", messages.SUCCESS)


@admin.register(DeliveryFailure)
class DeliveryFailureAdmin(ReadOnlyAdmin):
    list_display = (
        "id",
        "event_name",
        "handler",
        "service",
        "status",
        "attempts",
        "last_failed_at",
        "next_attempt_at",
    )
    list_filter = ("status", "service", "event_name")
    search_fields = ("event_id", "handler", "event_name", "last_error")
    actions = ["resubmit"]

    @admin.action(description="Resubmit the selected parked deliveries", permissions=["resubmit"])
    def resubmit(self, request: HttpRequest, queryset: QuerySet[DeliveryFailure]) -> None:
        ids = list(queryset.filter(status=DeliveryStatus.PARKED).values_list("id", flat=True))
        count = delivery_resubmit(ids=ids) if ids else 0
        self.message_user(request, f"{count} delivery(ies) resubmitted.", messages.SUCCESS)


@admin.register(InboxEntry)
class InboxEntryAdmin(ReadOnlyAdmin):
    list_display = ("event_id", "event_name", "handler", "processed_at")
    list_filter = ("event_name", "handler")
    search_fields = ("event_id", "handler")


@admin.register(Operations)
class OperationsAdmin(admin.ModelAdmin):
    """The operator's page of the seams (no table behind it): see extraction.observability."""

    def has_view_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return request.user.has_perm("extraction.view_operations")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def changelist_view(
        self, request: HttpRequest, extra_context: dict[str, object] | None = None
    ) -> TemplateResponse:
        if not self.has_view_permission(request):
            raise PermissionDenied
        from extraction.observability.diagram import diagram_svg
        from extraction.observability.operations import overview

        data = overview()
        context = {
            **self.admin_site.each_context(request),
            "title": "Operations: the seams",
            "opts": self.model._meta,
            "overview": data,
            "diagram": diagram_svg(data.edges),
            "outbox_parked_url": reverse("admin:extraction_outboxevent_changelist")
            + "?status__exact=parked",
            "deliveries_parked_url": reverse("admin:extraction_deliveryfailure_changelist")
            + "?status__exact=parked",
            **(extra_context or {}),
        }
        return TemplateResponse(request, "admin/extraction/operations.html", context)
