"""Process-level views: the API index and the health probe."""

from django.conf import settings
from django.db import connection
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.decorators import api_view, permission_classes
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.reverse import reverse


@extend_schema(
    operation_id="api_index",
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


@extend_schema(
    operation_id="health",
    responses=inline_serializer(
        "Health", {"status": serializers.CharField(), "database": serializers.CharField()}
    ),
)
@api_view(["GET"])
@permission_classes([AllowAny])
def health(request: Request) -> Response:
    """Liveness and database reachability of this process."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return Response({"status": "ok", "database": connection.vendor})
