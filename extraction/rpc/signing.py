"""HMAC-SHA256 request signatures for the internal RPC endpoint.

The signature covers the HTTP method, the path, the timestamp, a random nonce,
the SHA-256 of the body and the signed headers (contract version, correlation
id, end user), so none of them can be changed in flight. Callers sign with the
first key of ``SEAMS_RPC_KEYS``; providers accept any key of the list, which
rotates a key without downtime (add the new key second, deploy, move it first,
deploy, drop the old one). A timestamp outside ``SEAMS_RPC_SIGNATURE_WINDOW_SECONDS``
is refused, and so is a nonce seen inside that window (a replay).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import threading
import time
from collections.abc import Callable, Sequence

import redis
from django.conf import settings

from extraction import correlation
from extraction.rpc import identity, versions

TIMESTAMP = "Seams-Timestamp"
NONCE = "Seams-Nonce"
SIGNATURE = "Seams-Signature"
# (header, request.META key) of each header the signature covers, in order.
SIGNED_HEADERS = (
    (versions.HEADER, versions.META_KEY),
    (correlation.HEADER, correlation.META_KEY),
    (identity.HEADER, identity.META_KEY),
)
SCHEME = "v1="


class SignatureRefused(Exception):
    """Why a request is not accepted as coming from a service of this system."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def _canonical(
    method: str, path: str, timestamp: str, nonce: str, body: bytes, signed: Sequence[str]
) -> bytes:
    parts = (method.upper(), path, timestamp, nonce, hashlib.sha256(body).hexdigest(), *signed)
    return "\n".join(parts).encode()


def _mac(key: str, message: bytes) -> str:
    return hmac.new(key.encode(), message, hashlib.sha256).hexdigest()


def sign(
    *,
    key: str,
    method: str,
    path: str,
    body: bytes,
    headers: dict[str, str],
    now: float | None = None,
) -> None:
    """Add the timestamp, nonce and signature headers to ``headers`` (which holds the
    signed headers already)."""
    timestamp = f"{time.time() if now is None else now:.6f}"
    nonce = secrets.token_hex(12)
    signed = [headers.get(name, "") for name, _ in SIGNED_HEADERS]
    headers[TIMESTAMP] = timestamp
    headers[NONCE] = nonce
    headers[SIGNATURE] = SCHEME + _mac(
        key, _canonical(method, path, timestamp, nonce, body, signed)
    )


def verify(
    *,
    keys: Sequence[str],
    method: str,
    path: str,
    body: bytes,
    meta: dict[str, str],
    window_seconds: float,
    first_seen: Callable[[str, float], bool],
) -> None:
    """Raise ``SignatureRefused`` unless the request is signed with one of ``keys``,
    recent, and not seen before. ``meta`` is ``request.META``."""
    signature = meta.get("HTTP_SEAMS_SIGNATURE", "")
    timestamp = meta.get("HTTP_SEAMS_TIMESTAMP", "")
    nonce = meta.get("HTTP_SEAMS_NONCE", "")
    if not (signature and timestamp and nonce):
        raise SignatureRefused("rpc.unauthenticated", "The request is not signed.")
    signed = [meta.get(key, "") for _, key in SIGNED_HEADERS]
    message = _canonical(method, path, timestamp, nonce, body, signed)
    given = signature.removeprefix(SCHEME).encode()
    if not any(hmac.compare_digest(_mac(key, message).encode(), given) for key in keys if key):
        raise SignatureRefused("rpc.bad_signature", "The request signature is not valid.")
    try:
        age = abs(time.time() - float(timestamp))
    except ValueError:
        raise SignatureRefused("rpc.bad_signature", "The request timestamp is not valid.") from None
    if age > window_seconds:
        raise SignatureRefused(
            "rpc.expired", "The request timestamp is outside the accepted window."
        )
    if not first_seen(nonce, window_seconds * 2):
        raise SignatureRefused("rpc.replayed", "This request was received already.")


class InProcessNonces:
    """The nonces seen recently by this process (one process only: use Redis with
    several workers or replicas)."""

    def __init__(self) -> None:
        self._seen: dict[str, float] = {}
        self._lock = threading.Lock()
        self._next_prune = 0.0

    def first_seen(self, nonce: str, ttl_seconds: float) -> bool:
        now = time.monotonic()
        with self._lock:
            if now >= self._next_prune:
                self._seen = {n: t for n, t in self._seen.items() if t > now}
                self._next_prune = now + ttl_seconds
            if self._seen.get(nonce, 0.0) > now:
                return False
            self._seen[nonce] = now + ttl_seconds
            return True


class RedisNonces:
    """The nonces seen recently by any process sharing this Redis."""

    def __init__(self, url: str, prefix: str) -> None:
        self._redis = redis.Redis.from_url(url)
        self._prefix = prefix

    def first_seen(self, nonce: str, ttl_seconds: float) -> bool:
        return bool(
            self._redis.set(f"{self._prefix}:nonce:{nonce}", 1, nx=True, px=int(ttl_seconds * 1000))
        )


_nonces: InProcessNonces | RedisNonces | None = None


def nonces() -> InProcessNonces | RedisNonces:
    global _nonces
    if _nonces is None:
        url = settings.SEAMS_RPC_REDIS_URL
        _nonces = RedisNonces(url, settings.SEAMS_RPC_REDIS_PREFIX) if url else InProcessNonces()
    return _nonces


def reset_nonces() -> None:
    """Forget the replay store (tests that change ``SEAMS_RPC_REDIS_URL``)."""
    global _nonces
    _nonces = None
