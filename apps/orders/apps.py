from django.apps import AppConfig

from contracts.payments import PaymentsService
from contracts.users import UsersService


class OrdersConfig(AppConfig):
    name = "apps.orders"
    label = "orders"
    verbose_name = "Orders"
    default_auto_field = "django.db.models.BigAutoField"
    # Bound by extraction when this app runs in the process (docs/rpc.md).
    contract_providers = ("apps.orders.provider.OrdersProvider",)
    # Contracts this app calls; a system check fails when one has no provider.
    contracts_used = (UsersService, PaymentsService)

    def ready(self) -> None:
        from apps.orders import handlers  # noqa: F401 - subscribes the event handlers
