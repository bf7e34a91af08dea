"""Limit/offset pagination whose parameters are checked, not guessed.

DRF's ``LimitOffsetPagination`` ignores a ``limit`` it cannot read and passes any
number on to the database, where one beyond PostgreSQL's bigint is a 500. Here
both parameters are integers within documented bounds, or the request is a 400
in the shared error shape; the schema publishes the same bounds.
"""

from __future__ import annotations

from typing import Any

from rest_framework.exceptions import ValidationError
from rest_framework.pagination import LimitOffsetPagination
from rest_framework.request import Request

MAX_LIMIT = 1000
MAX_OFFSET = 1_000_000_000


class BoundedLimitOffsetPagination(LimitOffsetPagination):
    max_limit = MAX_LIMIT

    def _bounded(self, request: Request, name: str, low: int, high: int, default: int) -> int:
        values = request.query_params.getlist(name)
        if not values:
            return default
        if len(values) > 1:
            raise ValidationError({name: ["Give this parameter once."]}, code="invalid")
        value = values[0]
        if not (value.isascii() and value.isdigit() and len(value) <= len(str(high))):
            raise ValidationError({name: [f"An integer from {low} to {high}."]}, code="invalid")
        number = int(value)
        if not low <= number <= high:
            raise ValidationError({name: [f"An integer from {low} to {high}."]}, code="invalid")
        return number

    def get_limit(self, request: Request) -> int:
        return self._bounded(request, self.limit_query_param, 1, MAX_LIMIT, self.default_limit)

    def get_offset(self, request: Request) -> int:
        return self._bounded(request, self.offset_query_param, 0, MAX_OFFSET, 0)

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        parameters: list[dict[str, Any]] = super().get_schema_operation_parameters(view)
        bounds = {
            self.limit_query_param: {"minimum": 1, "maximum": MAX_LIMIT},
            self.offset_query_param: {"minimum": 0, "maximum": MAX_OFFSET},
        }
        for parameter in parameters:
            parameter["schema"].update(bounds.get(parameter["name"], {}))
        return parameters
