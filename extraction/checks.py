"""System checks that keep the seams honest at startup.

- seams.E001: an installed app uses a contract that has no implementation here.
- seams.E002: a model relation crosses the boundary between two bounded apps.
- seams.E010: some app runs elsewhere but this process has no broker (its events,
  and the events it consumes, could only travel in process: they would be lost).
- seams.E011: a bounded app's handlers and the subscription manifest disagree.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.apps import AppConfig, apps
from django.conf import settings
from django.core import checks

from contracts.events import subscriptions
from contracts.services import registry
from contracts.subscriptions import consumed_event_names

BOUNDED_PACKAGE = "apps."
# The checks that every long-running process (gunicorn, a Celery worker) runs as
# it starts, not only ``manage.py``: see ``startup_refusal``.
STARTUP_TAG = "seams_startup"


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
                            f"run '{contract.owner}' in this process (SEAMS_SERVICES) or point "
                            f"its remote adapter at its service (SEAMS_REMOTE_SERVICES)"
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
            if target_label in bounded and target_label != owner:
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


def runs_split() -> bool:
    """Whether some bounded app of the system runs in another process."""
    remote = getattr(settings, "SEAMS_SERVICE_URLS", None) or {}
    return set(settings.SEAMS_SERVICES) != set(settings.ALL_SERVICES) or bool(remote)


@checks.register(checks.Tags.compatibility, STARTUP_TAG)
def check_broker_when_split(
    app_configs: Iterable[AppConfig] | None = None, **kwargs: Any
) -> list[checks.CheckMessage]:
    if not runs_split() or settings.CELERY_BROKER_URL:
        return []
    return [
        checks.Error(
            f"SEAMS_SERVICES={','.join(settings.SEAMS_SERVICES)} runs only part of the system "
            "and CELERY_BROKER_URL is empty: events would be delivered in this process only, "
            "so those published for (or by) the services elsewhere would be lost",
            hint="set CELERY_BROKER_URL (amqp://…) in every process of a split deployment",
            id="seams.E010",
        )
    ]


@checks.register(checks.Tags.compatibility, STARTUP_TAG)
def check_subscription_manifest(
    app_configs: Iterable[AppConfig] | None = None, **kwargs: Any
) -> list[checks.CheckMessage]:
    """Every bounded app installed here subscribes to exactly what the manifest says."""
    errors: list[checks.CheckMessage] = []
    for label in sorted(bounded_labels()):
        config = apps.get_app_config(label)
        handled = {
            s.event_type.name
            for s in subscriptions()
            if s.service == label and s.handler.__module__.startswith(f"{config.name}.")
        }
        declared = consumed_event_names(label)
        if handled != declared:
            errors.append(
                checks.Error(
                    f"the handlers of '{label}' consume {sorted(handled)} but the subscription "
                    f"manifest says {sorted(declared)}",
                    hint="update contracts/subscriptions.py MANIFEST: the broker declares "
                    "every service's queue from it before anything is published",
                    obj=config.name,
                    id="seams.E011",
                )
            )
    return errors


def startup_refusal(process: str) -> str | None:
    """Why ``process`` must not start (the failed start-up checks), or None.

    gunicorn and Celery run no system checks of their own; project.wsgi and
    project.celery ask this and refuse to start.
    """
    errors = [m for m in checks.run_checks(tags=[STARTUP_TAG]) if m.is_serious()]
    if not errors:
        return None
    lines = "\n".join(f"  {m}" for m in errors)
    return f"Seams refuses to start the {process}:\n{lines}"
