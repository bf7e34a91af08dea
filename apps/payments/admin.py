"""Admin screens of the payments app."""

from django.contrib import admin

from apps.payments.models import Payment


@admin.register(Payment)
class PaymentAdmin(admin.ModelAdmin):
    list_display = ("id", "order_id", "customer_id", "status", "amount", "currency", "created_at")
    list_filter = ("status", "currency")
    search_fields = ("id", "order_id", "customer_id", "gateway_reference")
    readonly_fields = (
        "id",
        "order_id",
        "customer_id",
        "amount",
        "currency",
        "gateway_reference",
        "idempotency_key",
        "created_at",
        "updated_at",
    )
    date_hierarchy = "created_at"
