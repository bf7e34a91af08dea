"""Process-level views: the API index, the API docs and the health probe."""

from collections.abc import Callable
from functools import cache
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views import defaults
from django.views.decorators.csrf import csrf_exempt
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.decorators import api_view, permission_classes
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.reverse import reverse

from apikit.drf.openapi import error_response
from extraction.observability.health import check_database
from project.api_errors import error_body


@extend_schema(
    operation_id="api_index",
    tags=["meta"],
    responses=inline_serializer(
        "ApiIndex",
        {
            "services": serializers.ListField(child=serializers.CharField()),
            "schema": serializers.URLField(),
            "docs": serializers.URLField(),
        },
    ),
)
@api_view(["GET"])
@permission_classes([AllowAny])
def api_index(request: Request) -> Response:
    """Where the API lives: the services of this process and the schema."""
    return Response(
        {
            "services": list(settings.SEAMS_SERVICES),
            "schema": reverse("schema", request=request),
            "docs": reverse("swagger-ui", request=request),
        }
    )


@cache
def _swagger_ui() -> Callable[..., HttpResponse]:
    from drf_spectacular.views import SpectacularSwaggerView

    return SpectacularSwaggerView.as_view(url_name="schema")


@csrf_exempt  # as drf-spectacular's view (an APIView) is
def api_docs(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
    """Swagger UI on the schema: drf-spectacular's view, imported by the first request
    for it rather than by every process that loads the URLs."""
    return _swagger_ui()(request, *args, **kwargs)


HEALTH = inline_serializer(
    "Health", {"status": serializers.CharField(), "database": serializers.CharField()}
)


@extend_schema(
    operation_id="health",
    tags=["meta"],
    responses={200: HEALTH, 503: error_response("database_unavailable")},
)
@api_view(["GET"])
@permission_classes([AllowAny])
def health(request: Request) -> Response:
    """Liveness and database reachability of this process (the probes' ``/readyz``
    checks more: docs/operations.md)."""
    database = check_database()
    if not database["ok"]:
        return Response(
            error_body(
                "database_unavailable",
                "The database does not answer; retry later.",
                {"error": database["error"]},
            ),
            status=503,
            headers={"Retry-After": "5"},
        )
    return Response({"status": "ok", "database": database["vendor"]})


# Errors no view handled (no URL matched, a crash): the API's error shape under
# /api/, Django's HTML pages elsewhere.


def not_found(request, exception=None):  # type: ignore[no-untyped-def]
    if request.path.startswith("/api/"):
        return JsonResponse(error_body("not_found", "Not found."), status=404)
    return defaults.page_not_found(request, exception)


def bad_request(request, exception=None):  # type: ignore[no-untyped-def]
    if request.path.startswith("/api/"):
        return JsonResponse(error_body("bad_request", "Bad request."), status=400)
    return defaults.bad_request(request, exception)


def server_error(request):  # type: ignore[no-untyped-def]
    if request.path.startswith("/api/"):
        return JsonResponse(error_body("server_error", "Internal server error."), status=500)
    return defaults.server_error(request)
