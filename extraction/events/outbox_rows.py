"""The outbox's hot statements, written once per process (``apikit.rows``): claim the
rows a commit published, mark one published, or claim one and mark it at once.

Every value is a parameter; the identifiers come from the model's metadata, quoted.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from apikit import rows
from extraction.models import DUE_STATUSES, OutboxEvent, OutboxStatus

_OUTBOX = rows.Columns(OutboxEvent, OutboxEvent._meta.db_table)
_CLAIM_SQL: dict[tuple[str, int], str] = {}


def claim(row_ids: list[int]) -> list[OutboxEvent]:
    """Lock the rows of ``row_ids`` still due (skipping those another process holds), by id."""
    if not row_ids:
        return []
    connection = transaction.get_connection()
    key = (connection.alias, len(row_ids))
    sql = _CLAIM_SQL.get(key)
    if sql is None:
        sql = rows.select_sql(
            connection,
            _OUTBOX,
            [("id", len(row_ids)), ("status", len(DUE_STATUSES))],
            order_by="id",
            lock=True,
            skip_locked=True,
        )
        _CLAIM_SQL[key] = sql
    with connection.cursor() as cursor:
        cursor.execute(sql, [*row_ids, *(str(status) for status in DUE_STATUSES)])
        found = cursor.fetchall()
    return [_OUTBOX.build(connection, row) for row in found]  # type: ignore[misc]


_PUBLISHED_FIELDS = [
    "status",
    "published_at",
    "last_attempt_at",
    "attempts",
    "last_error",
    "next_attempt_at",
]


def mark_published(row: OutboxEvent) -> None:
    """Record ``row`` as delivered (one attempt more, no error, no next attempt)."""
    row.status = OutboxStatus.PUBLISHED
    row.published_at = row.last_attempt_at = timezone.now()
    row.attempts += 1
    row.last_error = ""
    row.next_attempt_at = None
    rows.update(row, _PUBLISHED_FIELDS)


_CLAIM_PUBLISHED_SQL: dict[str, str] = {}


def claim_published(row_id: int) -> OutboxEvent | None:
    """Lock the row if still due (skipping it if another process holds it) and mark
    it published, as ``mark_published`` does: the row as written, or None.

    One ``UPDATE … RETURNING`` where the database returns updated rows, else
    ``claim`` then ``mark_published``.
    """
    connection = transaction.get_connection()
    if not connection.features.can_return_columns_from_insert:
        claimed = claim([row_id])
        for row in claimed:
            mark_published(row)
        return claimed[0] if claimed else None
    sql = _CLAIM_PUBLISHED_SQL.get(connection.alias)
    if sql is None:
        quote = connection.ops.quote_name
        table, pk, status = quote(OutboxEvent._meta.db_table), quote("id"), quote("status")
        attempts = quote("attempts")
        due = ", ".join(["%s"] * len(DUE_STATUSES))
        lock = (
            " FOR UPDATE SKIP LOCKED"
            if connection.features.has_select_for_update_skip_locked
            else ""
        )
        # Identifiers from the model's metadata, quoted; every value is a parameter.
        sql = _CLAIM_PUBLISHED_SQL[connection.alias] = (
            f"UPDATE {table} SET {status} = %s, {quote('published_at')} = %s, "  # noqa: S608
            f"{quote('last_attempt_at')} = %s, {attempts} = {attempts} + 1, "
            f"{quote('last_error')} = '', {quote('next_attempt_at')} = NULL "
            f"WHERE {pk} IN (SELECT {pk} FROM {table} "
            f"WHERE {pk} = %s AND {status} IN ({due}){lock}) "
            f"RETURNING {', '.join(quote(f.column) for f in _OUTBOX.fields)}"
        )
    now = timezone.now()
    with connection.cursor() as cursor:
        cursor.execute(
            sql,
            [
                str(OutboxStatus.PUBLISHED),
                *rows.params(OutboxEvent, connection, published_at=now, last_attempt_at=now),
                row_id,
                *(str(status) for status in DUE_STATUSES),
            ],
        )
        found = cursor.fetchone()
    return None if found is None else _OUTBOX.build(connection, found)  # type: ignore[return-value]
