"""The permissions of every bounded app, known to the process that grants them.

Staff permissions are granted in the users app (its admin, ``users.User``'s
``user_permissions`` and groups) and travel to every service's staff shadow as
``"<app_label>.<codename>"`` labels (docs/identity.md). A permission row exists
only for installed models, so the users app's process would have no row to grant
for an app that runs elsewhere (``payments.view_payment`` when payments is
extracted). ``permission_catalog.json`` records the permissions of every bounded
app (``manage.py permission_catalog --write`` regenerates it; a test compares it
with the monolith's models); after ``migrate``, a process that runs users creates
the rows of the apps that do not run here.

Those rows belong to content types without a model here: Django's
``remove_stale_contenttypes --include-stale-apps`` would delete them, and their
grants with them; the project's command refuses that flag where users runs.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.apps import AppConfig, apps
from django.conf import settings
from django.contrib.auth.management import _get_all_permissions
from django.db import DEFAULT_DB_ALIAS

CATALOG = Path(__file__).with_name("permission_catalog.json")


def describe() -> list[dict[str, str]]:
    """The permissions of the bounded apps installed here, as the catalog records them."""
    rows = []
    for config in apps.get_app_configs():
        if config.label not in settings.ALL_SERVICES:
            continue
        for model in config.get_models():
            for codename, name in _get_all_permissions(model._meta):
                rows.append(
                    {
                        "app_label": config.label,
                        "model": model._meta.model_name,
                        "codename": codename,
                        "name": str(name),
                    }
                )
    return sorted(rows, key=lambda r: (r["app_label"], r["model"], r["codename"]))


def render(rows: list[dict[str, str]]) -> str:
    return json.dumps(rows, indent=2) + "\n"


def recorded() -> list[dict[str, str]]:
    rows: list[dict[str, str]] = json.loads(CATALOG.read_text())
    return rows


def create_absent_app_permissions(
    sender: AppConfig, using: str = DEFAULT_DB_ALIAS, **kwargs: Any
) -> None:
    """post_migrate of the users app: permission rows of the apps that run elsewhere."""
    from django.contrib.auth.models import Permission
    from django.contrib.contenttypes.models import ContentType

    if sender.label != "users":
        return
    for row in recorded():
        if row["app_label"] in settings.SEAMS_SERVICES:
            continue
        content_type, _ = ContentType.objects.db_manager(using).get_or_create(
            app_label=row["app_label"], model=row["model"]
        )
        Permission.objects.db_manager(using).get_or_create(
            content_type=content_type, codename=row["codename"], defaults={"name": row["name"]}
        )
