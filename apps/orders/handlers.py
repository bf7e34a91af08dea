"""Events the orders app reacts to."""

from __future__ import annotations

from django.utils import timezone

from apps.orders.models import Order
from contracts import subscribe
from contracts.orders import OrderStatus
from contracts.users import UserDeactivated


@subscribe(UserDeactivated, service="orders")
def cancel_pending_orders_of_deactivated_user(event: UserDeactivated) -> None:
    Order.objects.filter(
        customer_id=event.user_id, status=OrderStatus.PENDING_PAYMENT.value
    ).update(status=OrderStatus.CANCELLED.value, updated_at=timezone.now())
