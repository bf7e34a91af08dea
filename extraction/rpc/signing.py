"""HMAC-SHA256 request signatures for the internal RPC endpoint.

The signature covers the HTTP method, the path, the timestamp, a random nonce,
the SHA-256 of the body and the signed headers (contract version, correlation
id, end user), so none of them can be changed in flight. Callers sign with the
first key of ``SEAMS_RPC_KEYS``; providers accept any key of the list, which
rotates a key without downtime (add the new key second, deploy, move it first,
deploy, drop the old one). A timestamp outside ``SEAMS_RPC_SIGNATURE_WINDOW_SECONDS``
is refused, and so is a nonce seen inside that window (a replay): the nonces
are remembered in the default cache (``first_seen``).
"""

from __future__ import annotations

import hashlib
import hmac
import math
import secrets
import time
from collections.abc import Callable, Sequence

from django.core.cache import cache

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
# The cache key of a nonce seen recently (the replay store).
NONCE_KEY = "seams:rpc:nonce"


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


def first_seen(nonce: str, ttl_seconds: float) -> bool:
    """Whether ``nonce`` is new, remembering it for ``ttl_seconds``: an atomic add to the
    default cache (Redis ``SET NX`` with ``CACHE_URL=redis://…``, shared by every worker
    and replica; per process with the default local-memory cache, which
    ``manage.py check --deploy`` warns about, ``seams.W020``)."""
    return cache.add(f"{NONCE_KEY}:{nonce}", 1, timeout=math.ceil(ttl_seconds))
