"""Well-known identities of the demo data.

Each app seeds its own part of the demo shop; deterministic ids let the orders
of a demo customer point at that customer without one app calling another.
"""

from __future__ import annotations

from uuid import UUID, uuid5

DEMO_NAMESPACE = UUID("6b1b3c1e-8f8e-4d6a-9f3e-5ea1c0de5ea1")

ADMIN_EMAIL = "admin@seams.local"
ADMIN_PASSWORD = "seams-admin-demo"  # noqa: S105 - demo data, refused when DEBUG is off
CUSTOMER_PASSWORD = "seams-customer-demo"  # noqa: S105 - demo data, refused when DEBUG is off
CUSTOMERS: tuple[tuple[str, str], ...] = (
    ("ada@example.com", "Ada Lovelace"),
    ("grace@example.com", "Grace Hopper"),
    ("alan@example.com", "Alan Turing"),
)


def demo_id(kind: str, key: str) -> UUID:
    """The stable id of a demo entity (the same on every run and in every service)."""
    return uuid5(DEMO_NAMESPACE, f"{kind}:{key}")
