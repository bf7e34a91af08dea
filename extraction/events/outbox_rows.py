"""The outbox's hot statements, written once per process (``apikit.rows``): claim the
rows a commit published, claim one and mark it published at once, mark one published.

Every value is a parameter; the identifiers come from the model's metadata, quoted.
"""

from __future__ import annotations

from django.db import transaction
from django.db.backends.base.base import BaseDatabaseWrapper
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


_CLAIM_PUBLISHED_SQL: dict[str, str] = {}


def claim_published(row_id: int) -> OutboxEvent | None:
    """Lock the row if still due (skipping it if another process holds it) and mark
    it published, in one statement; the row as written, or None."""
    connection = transaction.get_connection()
    sql = _CLAIM_PUBLISHED_SQL.get(connection.alias)
    if sql is None:
        quote = connection.ops.quote_name
        table, pk, status = quote(OutboxEvent._meta.db_table), quote("id"), quote("status")
        attempts = f"{quote('attempts')} + 1"
        due = ", ".join(["%s"] * len(DUE_STATUSES))
        lock = (
            " FOR UPDATE SKIP LOCKED"
            if connection.features.has_select_for_update_skip_locked
            else ""
        )
        # Identifiers from the model's metadata, quoted; every value is a parameter.
        sql = _CLAIM_PUBLISHED_SQL[connection.alias] = (
            f"UPDATE {table} SET {_published_assignments(connection, attempts)} "  # noqa: S608
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


def write_published(row: OutboxEvent) -> None:
    """Write ``row``'s delivered state (``delivery.mark_published`` sets it)."""
    connection = transaction.get_connection()
    with connection.cursor() as cursor:
        cursor.execute(
            _published_sql(connection),
            [
                str(row.status),
                *rows.params(
                    OutboxEvent,
                    connection,
                    published_at=row.published_at,
                    last_attempt_at=row.last_attempt_at,
                ),
                row.attempts,
                row.id,
            ],
        )


_PUBLISHED_SQL: dict[str, str] = {}


def _published_sql(connection: BaseDatabaseWrapper) -> str:
    sql = _PUBLISHED_SQL.get(connection.alias)
    if sql is None:
        quote = connection.ops.quote_name
        # Identifiers from the model's metadata, quoted; every value is a parameter.
        sql = (
            f"UPDATE {quote(OutboxEvent._meta.db_table)} "  # noqa: S608
            f"SET {_published_assignments(connection, '%s')} WHERE {quote('id')} = %s"
        )
        _PUBLISHED_SQL[connection.alias] = sql
    return sql


def _published_assignments(connection: BaseDatabaseWrapper, attempts: str) -> str:
    """``SET`` of a row delivered: status, published_at and last_attempt_at (three
    parameters), ``attempts`` as given, no error, no next attempt."""
    quote = connection.ops.quote_name
    return (
        f"{quote('status')} = %s, {quote('published_at')} = %s, "
        f"{quote('last_attempt_at')} = %s, {quote('attempts')} = {attempts}, "
        f"{quote('last_error')} = '', {quote('next_attempt_at')} = NULL"
    )
