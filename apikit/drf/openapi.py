"""OpenAPI declarations shared by the apps' views."""

from __future__ import annotations

from drf_spectacular.contrib.rest_framework_simplejwt import SimpleJWTScheme
from drf_spectacular.utils import OpenApiResponse


class StatelessJWTScheme(SimpleJWTScheme):
    """The stateless authentication documents the same bearer scheme as simplejwt's."""

    target_class = "apikit.auth.authentication.StatelessJWTAuthentication"


def error_response(description: str) -> OpenApiResponse:
    """An error response of a view, documented by its codes.

    No body schema here: the project's schema hook gives every 4xx and 5xx
    response the shared ``Error`` component.
    """
    return OpenApiResponse(description=description)
