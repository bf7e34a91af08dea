"""OpenAPI declarations shared by the apps' views."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiResponse


def error_response(description: str) -> OpenApiResponse:
    """An error response of a view, documented by its codes.

    No body schema here: the project's schema hook gives every 4xx and 5xx
    response the shared ``Error`` component.
    """
    return OpenApiResponse(description=description)
