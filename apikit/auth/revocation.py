"""Access tokens revoked before they expire: a denylist in the shared cache.

Access tokens are verified from their claims alone, so a deactivated account's
token would stay good until it expires. Each process consumes the deactivation
and records here *when* the account's tokens stopped being valid; the
authentication refuses every token issued (``iat``) at or before that instant.
A token issued later (the account was reactivated and signed in again) passes.

The entry lives as long as an access token can (lifetime plus leeway): after
that every token it would refuse has expired anyway, and a refresh of an
inactive account is refused by the issuer. The cache must be shared by every
process of a service (``CACHE_URL`` pointing at Redis): a per-process memory
cache is only enough for a single process.

Each process remembers an answer of the shared cache for
``SEAMS_TOKEN_DENYLIST_LOCAL_SECONDS`` (1 s by default), so a client sending
requests back to back costs one cache round trip per second rather than one per
request; a deactivation therefore reaches every process at most that long after
its event was handled (at once in the process that handled it).
"""

from __future__ import annotations

import time
from datetime import datetime, timedelta
from uuid import UUID

from django.conf import settings
from django.core.cache import cache
from rest_framework_simplejwt.settings import api_settings

KEY_PREFIX = "seams:tokens-revoked:"
_LOCAL_MAX_ENTRIES = 10_000
# user id -> (monotonic time the answer goes stale, cut-off or None). Plain dict
# operations are atomic under the GIL, which is all the worker threads need.
_local: dict[str, tuple[float, float | None]] = {}


def _key(user_id: UUID | str) -> str:
    return f"{KEY_PREFIX}{user_id}"


def _ttl_seconds() -> int:
    lifetime: timedelta = api_settings.ACCESS_TOKEN_LIFETIME
    leeway = api_settings.LEEWAY
    leeway_s = leeway.total_seconds() if isinstance(leeway, timedelta) else float(leeway)
    # A minute more than the longest a token can stay valid, for clock skew.
    return int(lifetime.total_seconds() + leeway_s) + 60


def revoke_tokens(*, user_id: UUID, issued_until: datetime) -> None:
    """Refuse the access tokens of ``user_id`` issued at or before ``issued_until``."""
    stamp = issued_until.timestamp()
    previous = cache.get(_key(user_id))
    # A replayed older event must not move the cut-off back.
    if previous is None or float(previous) < stamp:
        cache.set(_key(user_id), stamp, timeout=_ttl_seconds())
        _local.pop(str(user_id), None)


def revoked_until(user_id: UUID | str) -> float | None:
    """The epoch second up to which the tokens of ``user_id`` are refused (None: none)."""
    key = str(user_id)
    now = time.monotonic()
    remembered = _local.get(key)
    if remembered is not None and remembered[0] > now:
        return remembered[1]
    stamp = cache.get(_key(key))
    cut_off = None if stamp is None else float(stamp)
    if len(_local) >= _LOCAL_MAX_ENTRIES:
        _local.clear()
    _local[key] = (now + settings.SEAMS_TOKEN_DENYLIST_LOCAL_SECONDS, cut_off)
    return cut_off


def forget_local() -> None:
    """Drop what this process remembers (tests that change the shared cache behind its back)."""
    _local.clear()
