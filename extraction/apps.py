from importlib import import_module

from django.apps import AppConfig
from django.conf import settings


class ExtractionConfig(AppConfig):
    name = "extraction"
    label = "extraction"
    verbose_name = "Seams: events and extraction"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from contracts.events import install_bus
        from extraction import checks  # noqa: F401 - registers the system checks
        from extraction.events.bus import OutboxBus

        install_bus(OutboxBus())
        # Every contract is bound here, once, from SEAMS_SERVICES and
        # SEAMS_SERVICE_URLS (the app configs only name their providers).
        from extraction.rpc.binding import bind_contracts

        bind_contracts()
        from extraction.observability.startup import on_ready

        on_ready()
        # Test and benchmark probes subscribe here, in every process that loads
        # these settings (relay, worker, the test runner itself).
        for module in settings.SEAMS_EXTRA_HANDLER_MODULES:
            import_module(module)
