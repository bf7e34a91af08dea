"""System checks that keep the seams honest at startup.

- seams.E001: an installed app uses a contract that has no implementation here.
- seams.E002: a model relation crosses the boundary between two bounded apps, or
  points at ``AUTH_USER_MODEL`` (the local staff shadow: customers are not in it,
  and its rows are only a copy of what the users app owns).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.apps import AppConfig, apps
from django.conf import settings
from django.core import checks

from contracts.services import registry

BOUNDED_PACKAGE = "apps."


def bounded_labels() -> set[str]:
    return {c.label for c in apps.get_app_configs() if c.name.startswith(BOUNDED_PACKAGE)}


@checks.register(checks.Tags.compatibility)
def check_contract_providers(
    app_configs: Iterable[AppConfig] | None = None, **kwargs: Any
) -> list[checks.CheckMessage]:
    errors: list[checks.CheckMessage] = []
    for config in app_configs or apps.get_app_configs():
        for contract in getattr(config, "contracts_used", ()):
            if not registry.has(contract):
                errors.append(
                    checks.Error(
                        f"app '{config.label}' uses {contract.__qualname__}, "
                        f"which has no provider in this process",
                        hint=(
                            f"add '{contract.owner}' to SEAMS_SERVICES to run it in this process, "
                            f"or give its base URL in SEAMS_SERVICE_URLS "
                            f"(e.g. {contract.owner}=http://{contract.owner}:8000)"
                        ),
                        obj=config.name,
                        id="seams.E001",
                    )
                )
    return errors


@checks.register(checks.Tags.models)
def check_cross_boundary_relations(
    app_configs: Iterable[AppConfig] | None = None, **kwargs: Any
) -> list[checks.CheckMessage]:
    bounded = bounded_labels()
    errors: list[checks.CheckMessage] = []
    for model in apps.get_models(include_auto_created=True):
        owner = model._meta.app_label
        if owner not in bounded:
            continue
        for field in model._meta.get_fields(include_hidden=True):
            if not field.is_relation or (field.auto_created and not field.concrete):
                continue
            target = field.related_model
            if isinstance(target, str) or target is None:
                continue
            target_label = target._meta.app_label
            if target._meta.label == settings.AUTH_USER_MODEL:
                errors.append(
                    checks.Error(
                        f"{model._meta.label}.{field.name} relates to {target._meta.label}, "
                        f"the local staff shadow (AUTH_USER_MODEL), not an account",
                        hint="keep the account's UUID (the JWT's user_id) and ask UsersService",
                        obj=model,
                        id="seams.E002",
                    )
                )
            elif target_label in bounded and target_label != owner:
                errors.append(
                    checks.Error(
                        f"{model._meta.label}.{field.name} relates to {target._meta.label}, "
                        f"which belongs to the bounded app '{target_label}'",
                        hint="keep a plain UUID of the other app's entity and ask its contract",
                        obj=model,
                        id="seams.E002",
                    )
                )
    return errors
