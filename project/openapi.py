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


# DRF refuses NUL in every string and, where a value is required, one that is only
# whitespace (it trims, then finds it blank). Said as patterns, so that what the
# schema allows the server takes.
NO_NUL = r"^[^\x00]*$"
NOT_BLANK = r"^[^\x00]*[^\x00\s][^\x00]*$"


def _tighten_string(schema: dict[str, Any], *, query: bool = False) -> None:
    if schema.get("type") != "string" or schema.get("readOnly"):
        return
    if any(key in schema for key in ("format", "pattern", "enum")):
        return
    if query:
        # An empty filter is refused (apikit.drf.filters); a blank one filters nothing.
        schema.setdefault("minLength", 1)
        schema["pattern"] = NO_NUL
    else:
        schema["pattern"] = NOT_BLANK if schema.get("minLength", 0) >= 1 else NO_NUL


def tighten_strings(result: dict[str, Any], generator: Any, **kwargs: Any) -> dict[str, Any]:
    """Give every free-text input string the pattern of what the server accepts."""
    components = result.get("components", {}).get("schemas", {})
    for name, component in components.items():
        if not name.endswith("Request"):  # answers are described as they are
            continue
        for prop in component.get("properties", {}).values():
            _tighten_string(prop)
            _tighten_string(prop.get("items", {}))
    for path_item in result.get("paths", {}).values():
        for method, operation in path_item.items():
            if method in HTTP_METHODS:
                for parameter in operation.get("parameters", []):
                    query = parameter.get("in") == "query"
                    _tighten_string(parameter.get("schema", {}), query=query)
    return result
