"""Deployment checks of the composition root (``manage.py check --deploy``).

- seams.W020: DEBUG is off and the default cache is private to each process, so
  the sign-in and sign-up throttles count per process (N workers let N times the
  documented attempts through), a revoked token is known to one process only, and
  a signed RPC request replayed to another worker is not recognised. Set
  ``CACHE_URL`` to a shared cache (Redis).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.apps import AppConfig
from django.conf import settings
from django.core import checks

PER_PROCESS_CACHES = (
    "django.core.cache.backends.locmem.LocMemCache",
    "django.core.cache.backends.dummy.DummyCache",
)


@checks.register(checks.Tags.caches, deploy=True)
def check_shared_cache(
    app_configs: Iterable[AppConfig] | None = None, **kwargs: Any
) -> list[checks.CheckMessage]:
    backend = settings.CACHES["default"]["BACKEND"]
    if settings.DEBUG or backend not in PER_PROCESS_CACHES:
        return []
    return [
        checks.Warning(
            f"The default cache ({backend}) is private to each process: the sign-in and "
            "sign-up throttles then count per process (every extra worker lets the "
            "documented number of attempts through again), token revocations and the "
            "RPC endpoint's replay store are per process too.",
            hint="Set CACHE_URL to a cache every process shares, e.g. redis://host:6379/1.",
            id="seams.W020",
        )
    ]
