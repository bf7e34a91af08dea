"""The throttle of the open auth endpoints: an atomic counter per client and window.

DRF's throttles keep a list of timestamps that they read, append to and write
back: two requests at the same moment both read the same list, and a burst gets
past the limit even on a shared cache. Here each request increments one counter
per (scope, client, window) with the cache's atomic ``incr`` (Redis ``INCR``), so
exactly the documented number of requests per window is let through, however
many arrive at once and however many processes serve them — provided the cache
is shared (``CACHE_URL``; ``manage.py check --deploy`` warns when it is not).

Windows are fixed (they start on multiples of the period), so a client may spend
its budget at the end of one window and again at the start of the next.
"""

from __future__ import annotations

import math
from typing import Any

from rest_framework.request import Request
from rest_framework.settings import api_settings
from rest_framework.throttling import ScopedRateThrottle


class AuthRateThrottle(ScopedRateThrottle):
    """DRF's scoped throttle, per client address, counted atomically.

    The rates are read from the live API settings per request (DRF binds
    ``THROTTLE_RATES`` once, at import), so a changed
    ``REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]`` takes effect.
    """

    cache_format = "seams-throttle:%(scope)s:%(ident)s"

    @property
    def THROTTLE_RATES(self) -> dict[str, str | None]:
        rates: dict[str, str | None] = api_settings.DEFAULT_THROTTLE_RATES
        return rates

    def allow_request(self, request: Request, view: Any) -> bool:
        self.scope = getattr(view, self.scope_attr, None)
        if not self.scope:
            return True
        self.rate = self.get_rate()
        self.num_requests, self.duration = self.parse_rate(self.rate)
        if self.rate is None:
            return True
        self.key = self.get_cache_key(request, view)
        if self.key is None:
            return True
        self.now = self.timer()
        window = int(self.now // self.duration)
        key = f"{self.key}:{window}"
        # The counter outlives its window, so it cannot expire between add and incr.
        self.cache.add(key, 0, timeout=2 * self.duration)
        count = self.cache.incr(key)
        return bool(count <= self.num_requests)

    def wait(self) -> float:
        """Seconds until the current window ends."""
        return float(math.ceil(self.duration - self.now % self.duration))
