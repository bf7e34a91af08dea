from django.apps import AppConfig

from contracts.payments import PaymentsService
from contracts.users import UsersService


class OrdersConfig(AppConfig):
    name = "apps.orders"
    label = "orders"
    verbose_name = "Orders"
    default_auto_field = "django.db.models.BigAutoField"
    # Contracts this app calls; a system check fails when one has no provider.
    contracts_used = (UsersService, PaymentsService)

    def ready(self) -> None:
        from apps.orders import handlers  # noqa: F401 - subscribes the event handlers
        from apps.orders.provider import OrdersProvider
        from contracts.orders import OrdersService
        from contracts.services import registry

        registry.provide(OrdersService, OrdersProvider, replace=True)
