from django.apps import AppConfig


class ProjectConfig(AppConfig):
    """The composition root as an app: it holds the commands that span every app."""

    name = "project"
    label = "project"
    verbose_name = "Seams"

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from project.permission_catalog import create_absent_app_permissions

        post_migrate.connect(create_absent_app_permissions, dispatch_uid="seams.permission_catalog")
