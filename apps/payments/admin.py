"""Admin screens of the payments app.

Everything is read-only: money moves only through the services (the refund action
included), never by editing a row. The sandbox ledger is shown so an operator can
compare what the app recorded with what the "processor" saw.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from apikit.admin import CountOnceAdmin
from apps.payments import refunds
from apps.payments.models import Payment, Refund, SandboxCharge, SandboxRefund
from contracts.errors import ContractError
from contracts.payments import PaymentStatus


class ReadOnlyAdmin(CountOnceAdmin, admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class RefundInline(admin.TabularInline):
    model = Refund
    extra = 0
    can_delete = False
    show_change_link = True
    fields = ("id", "status", "amount", "currency", "gateway_reference", "reason", "created_at")
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Payment)
class PaymentAdmin(ReadOnlyAdmin):
    list_display = (
        "id",
        "order_id",
        "customer_id",
        "status",
        "amount",
        "currency",
        "failure_code",
        "created_at",
    )
    list_filter = ("status", "currency", "failure_code", "created_at")
    search_fields = ("=id", "=order_id", "=customer_id", "gateway_reference", "idempotency_key")
    date_hierarchy = "created_at"
    inlines = [RefundInline]
    actions = ["refund_selected"]
    fieldsets = (
        (None, {"fields": ("id", "status", "amount", "currency", "order_id", "customer_id")}),
        ("Gateway", {"fields": ("gateway_reference", "failure_code", "failure_message")}),
        (
            "Idempotency",
            {
                "fields": (
                    "idempotency_key",
                    "request_fingerprint",
                    "response_status",
                    "response_body",
                )
            },
        ),
        ("Timestamps", {"fields": ("created_at", "updated_at")}),
    )
    readonly_fields = tuple(f for _, options in fieldsets for f in options["fields"])

    def has_refund_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("payments.change_payment")

    @admin.action(description="Refund selected captured payments", permissions=["refund"])
    def refund_selected(self, request: HttpRequest, queryset: QuerySet[Payment]) -> None:
        refunded = skipped = pending = 0
        for payment in queryset.order_by("created_at"):
            if payment.status != PaymentStatus.CAPTURED:
                skipped += 1
                continue
            try:
                refund = refunds.payment_refund(
                    payment_id=payment.id,
                    reason=f"Refunded from the admin by staff user {request.user.pk}",
                )
            except ContractError as exc:
                self.message_user(
                    request, f"Payment {payment.id}: {exc.message} ({exc.code})", messages.ERROR
                )
            else:
                if refund.status == Refund.Status.PENDING:
                    pending += 1
                else:
                    refunded += 1
        if refunded:
            self.message_user(request, f"Refunded {refunded} payment(s).", messages.SUCCESS)
        if pending:
            self.message_user(
                request,
                f"{pending} refund(s) pending: the gateway did not answer; they are settled "
                "from its record by resolve_stuck_payments.",
                messages.WARNING,
            )
        if skipped:
            self.message_user(
                request, f"Skipped {skipped} payment(s) that are not captured.", messages.WARNING
            )


@admin.register(Refund)
class RefundAdmin(ReadOnlyAdmin):
    list_display = ("id", "payment", "status", "amount", "currency", "failure_code", "created_at")
    list_filter = ("status", "currency", "created_at")
    search_fields = ("=id", "=payment__id", "=payment__order_id", "gateway_reference", "reason")
    list_select_related = ("payment",)
    date_hierarchy = "created_at"


@admin.register(SandboxCharge)
class SandboxChargeAdmin(ReadOnlyAdmin):
    list_display = (
        "reference",
        "idempotency_key",
        "token",
        "amount",
        "currency",
        "outcome",
        "decline_code",
        "attempts",
        "created_at",
    )
    list_filter = ("outcome", "token", "currency")
    search_fields = ("reference", "idempotency_key")


@admin.register(SandboxRefund)
class SandboxRefundAdmin(ReadOnlyAdmin):
    list_display = (
        "reference",
        "charge",
        "amount",
        "currency",
        "outcome",
        "decline_code",
        "attempts",
        "created_at",
    )
    list_filter = ("outcome", "currency")
    search_fields = ("reference", "idempotency_key", "charge__reference")
    list_select_related = ("charge",)
