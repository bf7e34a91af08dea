from django.apps import AppConfig
from django.conf import settings


class ProjectConfig(AppConfig):
    """The composition root as an app: commands that span every app, and wiring."""

    name = "project"
    label = "project"
    verbose_name = "Seams"

    def ready(self) -> None:
        from project import token_revocation

        token_revocation.subscribe_services(settings.SEAMS_SERVICES)
