"""Admin screens of the orders app.

Every change of state goes through ``apps.orders.services``, as the API's do, so
row locks are taken and events are published. Order money, ids and status are
read-only here: an order moves only through its transitions (the actions).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from uuid import UUID

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from apikit.admin import CountOnceAdmin
from apps.orders import catalog, payment_transitions, services
from apps.orders.models import Order, OrderHistoryEntry, OrderLine, Product
from contracts.errors import ContractError


class ProductAdminForm(forms.ModelForm):
    """The product form remembers the stock it showed, to apply the operator's difference."""

    class Meta:
        model = Product
        fields = ("sku", "name", "price", "currency", "stock", "active")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["stock"].show_hidden_initial = True

    def stock_shown(self) -> int:
        """The stock on the screen when the operator opened the form."""
        raw = self.data.get(self.add_initial_prefix("stock"))
        try:
            return int(raw)
        except (TypeError, ValueError):
            return int(self.initial["stock"])


@admin.register(Product)
class ProductAdmin(admin.ModelAdmin):
    form = ProductAdminForm
    list_display = ("sku", "name", "price", "currency", "stock", "active", "updated_at")
    list_filter = ("active", "currency")
    search_fields = ("sku", "name")
    ordering = ("sku",)
    readonly_fields = ("id", "created_at", "updated_at")
    fields = (
        "id",
        "sku",
        "name",
        "price",
        "currency",
        "stock",
        "active",
        "created_at",
        "updated_at",
    )
    actions = ("deactivate_selected",)

    def get_readonly_fields(self, request: HttpRequest, obj: Product | None = None) -> Any:
        # Placed orders copy the SKU; changing it later would orphan their history.
        return (*self.readonly_fields, "sku") if obj is not None else self.readonly_fields

    def save_model(
        self, request: HttpRequest, obj: Product, form: ProductAdminForm, change: bool
    ) -> None:
        if not change:
            super().save_model(request, obj, form, change)
            return
        changes = {f: getattr(obj, f) for f in catalog.UPDATABLE_PRODUCT_FIELDS}
        catalog.product_update(product_id=obj.pk, **changes)
        if "stock" in form.changed_data:
            # Apply the difference the operator typed, not the absolute number: orders
            # placed while the form was open keep their reservation.
            delta = form.cleaned_data["stock"] - form.stock_shown()
            try:
                product = catalog.product_restock(product_id=obj.pk, quantity=delta)
            except ContractError as exc:
                self.message_user(request, f"Stock not changed: {exc.message}", messages.ERROR)
            else:
                self.message_user(
                    request, f"Stock of {product.sku} changed by {delta:+d} to {product.stock}."
                )
        obj.refresh_from_db()

    @admin.action(description="Deactivate selected products", permissions=["change"])
    def deactivate_selected(self, request: HttpRequest, queryset: QuerySet[Product]) -> None:
        for product_id in queryset.values_list("pk", flat=True):
            catalog.product_deactivate(product_id=product_id)
        self.message_user(request, f"{queryset.count()} product(s) deactivated.")


class OrderLineInline(admin.TabularInline):
    model = OrderLine
    fields = ("sku", "name", "unit_price", "quantity", "line_total")
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.display(description="Line total")
    def line_total(self, line: OrderLine) -> str:
        return f"{line.line_total}"


class OrderHistoryInline(admin.TabularInline):
    """Refunds asked or declined, captures rejected and given back: read-only."""

    model = OrderHistoryEntry
    fields = ("created_at", "kind", "payment_id", "message")
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = False
    verbose_name_plural = "history"

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Order)
class OrderAdmin(CountOnceAdmin, admin.ModelAdmin):
    list_display = ("id", "customer_id", "status", "total", "currency", "created_at", "paid_at")
    list_filter = ("status", "currency", "created_at")
    search_fields = ("=id", "=customer_id", "=payment_id", "lines__sku")
    readonly_fields = (
        "id",
        "customer_id",
        "status",
        "total",
        "currency",
        "payment_id",
        "refund_key",
        "cancel_reason",
        "last_payment_failure_code",
        "last_payment_failure_message",
        "last_payment_failed_at",
        "created_at",
        "updated_at",
        "paid_at",
        "fulfilled_at",
        "cancelled_at",
        "refunded_at",
    )
    fieldsets = (
        (None, {"fields": ("id", "customer_id", "status", "total", "currency")}),
        (
            "Payment",
            {
                "fields": (
                    "payment_id",
                    "refund_key",
                    "last_payment_failure_code",
                    "last_payment_failure_message",
                    "last_payment_failed_at",
                )
            },
        ),
        (
            "History",
            {
                "fields": (
                    "created_at",
                    "paid_at",
                    "fulfilled_at",
                    "cancelled_at",
                    "cancel_reason",
                    "refunded_at",
                    "updated_at",
                )
            },
        ),
    )
    inlines = (OrderLineInline, OrderHistoryInline)
    date_hierarchy = "created_at"
    actions = ("fulfil_selected", "cancel_selected")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # orders are placed by customers, through order_place

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # an order is cancelled or refunded, never erased

    @admin.action(description="Fulfil selected paid orders", permissions=["change"])
    def fulfil_selected(self, request: HttpRequest, queryset: QuerySet[Order]) -> None:
        self._each(request, queryset, "fulfilled", lambda o: services.order_fulfil(order_id=o))

    def has_cancel_permission(self, request: HttpRequest) -> bool:
        # A cancellation refunds a paid order: it moves money, so it needs the refund
        # permission of payments as well (the same rule as the API's cancel).
        return request.user.has_perms(("orders.change_order", "payments.change_payment"))

    @admin.action(
        description="Cancel selected orders (paid ones are refunded)", permissions=["cancel"]
    )
    def cancel_selected(self, request: HttpRequest, queryset: QuerySet[Order]) -> None:
        reason = f"cancelled by staff ({request.user})"
        self._each(
            request,
            queryset,
            "cancelled or refunded",
            lambda o: payment_transitions.order_request_cancellation(order_id=o, reason=reason),
        )

    def _each(
        self,
        request: HttpRequest,
        queryset: QuerySet[Order],
        done: str,
        apply: Callable[[UUID], object],
    ) -> None:
        # One order at a time, each in its own transaction (and a refund call outside
        # any): one failure is reported and does not undo the others.
        succeeded = 0
        for order_id in list(queryset.values_list("pk", flat=True)):
            try:
                apply(order_id)
            except ContractError as exc:
                self.message_user(request, f"Order {order_id}: {exc.message}", messages.ERROR)
            else:
                succeeded += 1
        if succeeded:
            self.message_user(request, f"{succeeded} order(s) {done}.", messages.SUCCESS)
