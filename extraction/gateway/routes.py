"""Which service answers a public path: the URL prefixes of each app's public API."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings


@dataclass(frozen=True)
class Upstream:
    service: str
    base_url: str


def owner_of(path: str) -> str | None:
    """The app whose public routes include ``path`` (whole path segments), if any."""
    for service, prefixes in settings.SEAMS_PUBLIC_ROUTES.items():
        for prefix in prefixes:
            if path == prefix or path.startswith(f"{prefix}/"):
                return str(service)
    return None


def upstream_for(path: str) -> Upstream | None:
    """Where to forward ``path``: the service of an app that runs elsewhere, else None."""
    service = owner_of(path)
    if service is None or service in settings.SEAMS_SERVICES:
        return None
    base_url = settings.SEAMS_SERVICE_URLS.get(service)
    return Upstream(service, base_url.rstrip("/")) if base_url else None
