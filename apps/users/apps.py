from django.apps import AppConfig


class UsersConfig(AppConfig):
    name = "apps.users"
    label = "users"
    verbose_name = "Users"
    default_auto_field = "django.db.models.BigAutoField"
    contracts_used = ()

    def ready(self) -> None:
        from apps.users import handlers  # noqa: F401 - subscribes the event handlers
        from apps.users.provider import UsersProvider
        from contracts.services import registry
        from contracts.users import UsersService

        registry.provide(UsersService, UsersProvider, replace=True)
