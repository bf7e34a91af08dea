from django.apps import AppConfig


class ProjectConfig(AppConfig):
    """The composition root as an app: it holds the commands that span every app."""

    name = "project"
    label = "project"
    verbose_name = "Seams"

    def ready(self) -> None:
        from project import checks  # noqa: F401 - registers the deployment checks
