"""The API's JSON parser: malformed, or absurdly nested, JSON is a 400, never a 500.

Python's JSON decoder recurses once per nesting level, so a body nested about a
thousand levels deep raises ``RecursionError`` (DRF catches only ``ValueError``),
and a body just under that depth makes every later recursive step (validation,
error rendering) fail instead. No request of this API nests more than a few
levels: anything past ``MAX_JSON_DEPTH`` is refused as malformed.
"""

from __future__ import annotations

from typing import Any

from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser

MAX_JSON_DEPTH = 32


def json_depth(data: Any) -> int:
    """How deeply ``data`` nests lists and objects (a scalar is 0), without recursing."""
    deepest = 0
    pending = [(data, 1)] if isinstance(data, dict | list) else []
    while pending:
        node, depth = pending.pop()
        deepest = max(deepest, depth)
        children = node.values() if isinstance(node, dict) else node
        pending.extend((child, depth + 1) for child in children if isinstance(child, dict | list))
    return deepest


class BoundedJSONParser(JSONParser):
    """DRF's JSON parser that refuses bodies nested deeper than ``MAX_JSON_DEPTH``."""

    def parse(self, stream: Any, media_type: str | None = None, parser_context: Any = None) -> Any:
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError:
            data = None
            too_deep = True
        else:
            too_deep = json_depth(data) > MAX_JSON_DEPTH
        if too_deep:
            raise ParseError(f"JSON parse error - nested deeper than {MAX_JSON_DEPTH} levels")
        return data
