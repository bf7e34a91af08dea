"""System checks that keep the seams honest at startup.

- seams.E001: an installed app uses a contract that has no implementation here.
- seams.E002: a model relation crosses the boundary between two bounded apps, or
  points at ``AUTH_USER_MODEL`` (the local staff shadow: customers are not in it,
  and its rows are only a copy of what the users app owns).
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
# Test and benchmark modules whose handlers subscribe probe events of their own.
PROBE_PACKAGES = ("tests.", "bench.")


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


def is_probe(module: str) -> bool:
    """A test or benchmark probe: subscribes events of its own, outside the manifest."""
    return module in settings.SEAMS_EXTRA_HANDLER_MODULES or module.startswith(PROBE_PACKAGES)


def consumed_here(service: str) -> set[str]:
    """The events the handlers loaded in this process consume for ``service`` (no probes)."""
    return {
        s.event_type.name
        for s in subscriptions()
        if s.service == service and not is_probe(s.handler.__module__)
    }


@checks.register(checks.Tags.compatibility, STARTUP_TAG)
def check_subscription_manifest(
    app_configs: Iterable[AppConfig] | None = None, **kwargs: Any
) -> list[checks.CheckMessage]:
    """Every bounded app installed here consumes exactly what the manifest says."""
    errors: list[checks.CheckMessage] = []
    for label in sorted(bounded_labels()):
        handled = consumed_here(label)
        declared = consumed_event_names(label)
        if handled != declared:
            errors.append(
                checks.Error(
                    f"the handlers of '{label}' consume {sorted(handled)} but the subscription "
                    f"manifest says {sorted(declared)}",
                    hint="update contracts/subscriptions.py MANIFEST: the broker declares "
                    "every service's queue from it before anything is published",
                    obj=apps.get_app_config(label).name,
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
