"""Content negotiation that answers the common cases without parsing ``Accept``.

DRF's default negotiation parses the ``Accept`` header into media types and ranks
them against every renderer on each request. Nearly every API client sends no
``Accept``, ``*/*`` or ``application/json``: for those the first renderer is the
answer DRF would give, so it is returned at once. Anything else (a browser, a
format suffix, an unusual ``Accept``) goes through DRF's negotiation unchanged,
406 included.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.renderers import BaseRenderer
from rest_framework.request import Request

PLAIN = frozenset({"", "*/*", "application/json"})


class FastContentNegotiation(DefaultContentNegotiation):
    def select_renderer(
        self, request: Request, renderers: Iterable[BaseRenderer], format_suffix: Any = None
    ) -> tuple[BaseRenderer, str]:
        renderers = list(renderers)
        first = renderers[0] if renderers else None
        if (
            first is not None
            and format_suffix is None
            and first.media_type == "application/json"
            and request.META.get("HTTP_ACCEPT", "").strip() in PLAIN
            and not request.query_params.get(self.settings.URL_FORMAT_OVERRIDE or "")
        ):
            return first, first.media_type
        return super().select_renderer(request, renderers, format_suffix)
