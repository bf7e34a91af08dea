"""The public OpenAPI schema of the whole system, when some apps run elsewhere.

The schema generator sees only the views of the apps installed here; the
committed schema (``make schema``, checked by a test against the monolith)
documents every public route, forwarded or not. ``?format=json`` answers JSON,
as drf-spectacular's view does.

drf-spectacular's view (and with it the schema generator) is imported by the
first request for the schema, not by every process that loads the URLs.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import cache
from pathlib import Path

import yaml
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_GET

from extraction.checks import runs_split

YAML_TYPE = "application/vnd.oai.openapi; charset=utf-8"
JSON_TYPE = "application/vnd.oai.openapi+json; charset=utf-8"


@cache
def _committed(path: str) -> tuple[bytes, bytes]:
    text = Path(path).read_bytes()
    return text, json.dumps(yaml.safe_load(text)).encode()


@cache
def _generated() -> Callable[..., HttpResponse]:
    from drf_spectacular.views import SpectacularAPIView

    return SpectacularAPIView.as_view()


def public_schema(request: HttpRequest) -> HttpResponse:
    """Generated from the views when every app runs here, else the committed schema."""
    if not runs_split():
        return _generated()(request)
    return committed_schema(request)


@require_GET
def committed_schema(request: HttpRequest) -> HttpResponse:
    as_yaml, as_json = _committed(str(settings.SEAMS_PUBLIC_SCHEMA_FILE))
    wants_json = request.GET.get("format") == "json" or "json" in request.headers.get("Accept", "")
    if wants_json:
        return HttpResponse(as_json, content_type=JSON_TYPE)
    return HttpResponse(as_yaml, content_type=YAML_TYPE)
