"""The throttle of the open auth endpoints."""

from __future__ import annotations

from rest_framework.settings import api_settings
from rest_framework.throttling import ScopedRateThrottle


class AuthRateThrottle(ScopedRateThrottle):
    """DRF's scoped throttle, per client address, with the rates read per request.

    DRF binds ``THROTTLE_RATES`` once, at import; reading them from the live API
    settings lets a changed ``REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]`` (a test's
    settings override, say) take effect.
    """

    @property
    def THROTTLE_RATES(self) -> dict[str, str | None]:
        rates: dict[str, str | None] = api_settings.DEFAULT_THROTTLE_RATES
        return rates
