from django.apps import AppConfig


class UsersConfig(AppConfig):
    name = "apps.users"
    label = "users"
    verbose_name = "Users"
    default_auto_field = "django.db.models.BigAutoField"
    # Bound by extraction when this app runs in the process (docs/rpc.md).
    contract_providers = ("apps.users.provider.UsersProvider",)
    contracts_used = ()

    def ready(self) -> None:
        from apps.users import handlers  # noqa: F401 - subscribes the event handlers
