"""``manage.py remove_stale_contenttypes``: Django's command, minus a way to lose grants.

Where the users app runs, the permissions of the bounded apps that run elsewhere
have rows (``project/permission_catalog.py``) under content types without a model
in this process. ``--include-stale-apps`` would delete those content types, and
with them the permissions and every staff grant of them. This command refuses
that there; everything else is Django's.
"""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.conf import settings
from django.contrib.contenttypes.management.commands import remove_stale_contenttypes
from django.core.management.base import CommandError


class Command(remove_stale_contenttypes.Command):
    def handle(self, **options: Any) -> None:
        granted_here = sorted(set(settings.ALL_SERVICES) - set(apps.app_configs))
        if options["include_stale_apps"] and "users" in settings.SEAMS_SERVICES and granted_here:
            raise CommandError(
                f"Not with --include-stale-apps here: the content types of "
                f"{', '.join(granted_here)} carry the permissions staff are granted in "
                f"the users app (they run elsewhere, project/permission_catalog.py); "
                f"deleting them would delete those grants. Run the command without "
                f"--include-stale-apps."
            )
        super().handle(**options)
