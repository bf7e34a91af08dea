"""The API's operations, enumerated from the URL conf (a new endpoint is included by itself)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.urls import URLPattern, URLResolver, get_resolver


def api_operations() -> Iterator[tuple[str, str, tuple[str, ...], Any]]:
    """(method, URL name, path parameters, view class) of every operation under /api/v1/."""

    def walk(patterns: list, prefix: str) -> Iterator[tuple[str, URLPattern]]:
        for entry in patterns:
            if isinstance(entry, URLResolver):
                yield from walk(entry.url_patterns, prefix + str(entry.pattern))
            else:
                yield prefix + str(entry.pattern), entry

    for route, pattern in walk(get_resolver().url_patterns, ""):
        view = getattr(pattern.callback, "view_class", None)
        if not route.startswith("api/v1/") or view is None:
            continue
        assert pattern.name, f"/{route} has no URL name"
        for method in view.http_method_names:
            if method not in {"options", "head"} and hasattr(view, method):
                yield method.upper(), pattern.name, tuple(pattern.pattern.converters), view
