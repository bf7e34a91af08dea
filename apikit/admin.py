"""Admin plumbing the apps share."""

from __future__ import annotations


class CountOnceAdmin:
    """Mixin for the admin of a table that grows without bound (orders, payments,
    the outbox...): its changelist runs one ``COUNT`` per page, the filtered one,
    not a second one of the whole table for "N total" (Django's documented switch;
    the page offers "Show all" instead)."""

    show_full_result_count = False
