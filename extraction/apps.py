from django.apps import AppConfig


class ExtractionConfig(AppConfig):
    name = "extraction"
    label = "extraction"
    verbose_name = "Seams: events and extraction"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from contracts.events import install_bus
        from extraction import checks  # noqa: F401 - registers the system checks
        from extraction.bus import OutboxBus

        install_bus(OutboxBus())
