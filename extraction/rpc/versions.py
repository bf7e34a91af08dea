"""The shape version of each contract method, from the committed snapshot.

A method's version is a digest of its recorded shape (parameters and result) in
``contracts/snapshot.json``. The snapshot rules forbid changing a published
method's shape (a new shape is a new method), so during a rolling deploy an old
caller and a new provider agree on every method they share, whatever else the
contract gained: those calls are accepted. A caller built against another shape
of the same method (a snapshot rewritten in place) is refused with
``IncompatibleContractVersion`` instead of being misread.
"""

from __future__ import annotations

import functools
import hashlib
import json
from typing import Any

from contracts import snapshot

HEADER = "Seams-Contract-Version"
META_KEY = "HTTP_SEAMS_CONTRACT_VERSION"
UNRECORDED = "unrecorded"


def digest(shape: Any) -> str:
    canonical = json.dumps(shape, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()[:16]


@functools.cache
def method_versions() -> dict[str, str]:
    """``{"UsersService.get_user": "<digest>", ...}`` of the committed snapshot."""
    methods = snapshot.recorded().get("methods", {})
    return {key: digest(shape) for key, shape in methods.items()}


def version_of(contract_name: str, method: str) -> str:
    return method_versions().get(f"{contract_name}.{method}", UNRECORDED)
