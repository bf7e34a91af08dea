"""Admin screens of the orders app."""

from django.contrib import admin

from apps.orders.models import Order


@admin.register(Order)
class OrderAdmin(admin.ModelAdmin):
    list_display = ("id", "customer_id", "status", "total", "currency", "created_at")
    list_filter = ("status", "currency")
    search_fields = ("id", "customer_id")
    readonly_fields = ("id", "customer_id", "total", "currency", "created_at", "updated_at")
    date_hierarchy = "created_at"
