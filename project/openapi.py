"""OpenAPI post-processing: the shared error shape, documented on every operation.

Every 4xx answer of the API has the same body (project/api_errors.py). Rather than
repeat it on each view, this hook adds it once as the ``Error`` component and
references it from every operation under the ``4XX`` range, keeping any more
specific error responses a view declares itself.
"""

from __future__ import annotations

from typing import Any

ERROR_COMPONENT = {
    "type": "object",
    "description": "The one error shape of the API.",
    "properties": {
        "code": {
            "type": "string",
            "description": "Stable machine-readable code, e.g. `orders.out_of_stock`.",
        },
        "message": {"type": "string", "description": "What went wrong, for a person."},
        "details": {
            "type": "object",
            "additionalProperties": True,
            "description": "Field errors (field → list of messages) or facts about the error.",
        },
    },
    "required": ["code", "message", "details"],
}
ERROR_REF = {"$ref": "#/components/schemas/Error"}
HTTP_METHODS = {"get", "put", "post", "patch", "delete", "head", "options", "trace"}


def add_error_responses(result: dict[str, Any], generator: Any, **kwargs: Any) -> dict[str, Any]:
    result.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR_COMPONENT
    for path_item in result.get("paths", {}).values():
        for method, operation in path_item.items():
            if method not in HTTP_METHODS:
                continue
            responses = operation.setdefault("responses", {})
            for status, response in responses.items():
                if status.startswith(("4", "5")) and "content" not in response:
                    response["content"] = {"application/json": {"schema": ERROR_REF}}
            responses.setdefault(
                "4XX",
                {
                    "description": "Client error in the shared error shape",
                    "content": {"application/json": {"schema": ERROR_REF}},
                },
            )
    return result
