from django.apps import AppConfig
from django.core import checks

from contracts.orders import OrdersService


class PaymentsConfig(AppConfig):
    name = "apps.payments"
    label = "payments"
    verbose_name = "Payments"
    default_auto_field = "django.db.models.BigAutoField"
    # Bound by extraction when this app runs in the process (docs/rpc.md).
    contract_providers = ("apps.payments.provider.PaymentsProvider",)
    # Contracts this app calls; a system check fails when one has no provider.
    contracts_used = (OrdersService,)

    def ready(self) -> None:
        from apps.payments import handlers  # noqa: F401 - subscribes the event handlers
        from apps.payments.gateway import check_gateway_setting

        checks.register(check_gateway_setting, checks.Tags.compatibility)
