from django.apps import AppConfig
from django.conf import settings


class ProjectConfig(AppConfig):
    """The composition root as an app: commands that span every app, and wiring."""

    name = "project"
    label = "project"
    verbose_name = "Seams"

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from project import (
            checks,  # noqa: F401 - registers the deployment checks
            token_revocation,
        )
        from project.permission_catalog import create_absent_app_permissions

        token_revocation.subscribe_services(settings.SEAMS_SERVICES)

        post_migrate.connect(create_absent_app_permissions, dispatch_uid="seams.permission_catalog")
