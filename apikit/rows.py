"""Hot reads whose SQL is written once per process, not compiled by the ORM per request.

The ORM compiles a queryset to SQL on every evaluation: for a join of two
tables that is most of a millisecond of pure Python, more than the database
takes to answer it. A read that runs on every request of a hot path and never
changes shape can instead keep its SQL text and pay only for the round trip.

``Columns`` is the part that must stay right as models change: the select list
of a model's concrete columns, read from ``_meta`` (a new field is read the day
it is added), and the conversion of the values a row brings back into a model
instance, with the backend's and the fields' converters, as the ORM would apply
them (SQLite hands back UUIDs and datetimes as text; PostgreSQL does not).
Parameters go through ``param`` (``Field.get_db_prep_value``) for the same reason.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from django.db import DatabaseError, NotSupportedError, connections, router
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Field, Model
from django.db.models.expressions import Col
from django.db.transaction import TransactionManagementError

Converter = Callable[[Any, Any, BaseDatabaseWrapper], Any]


class Columns:
    """The concrete columns of ``model`` under the table alias ``alias``."""

    def __init__(self, model: type[Model], alias: str) -> None:
        self.model = model
        self.alias = alias
        self.fields: list[Field[Any, Any]] = list(model._meta.concrete_fields)
        self.attnames = [f.attname for f in self.fields]
        self.width = len(self.fields)
        self._converters: dict[str, list[tuple[int, Col, list[Converter]]]] = {}

    def select(self, connection: BaseDatabaseWrapper) -> str:
        """``"alias"."column", …`` in the order of the model's concrete fields."""
        quote = connection.ops.quote_name
        return ", ".join(f"{quote(self.alias)}.{quote(f.column)}" for f in self.fields)

    def table(self, connection: BaseDatabaseWrapper) -> str:
        """``"table" "alias"`` for the ``FROM`` clause."""
        quote = connection.ops.quote_name
        table = self.model._meta.db_table
        return quote(table) if self.alias == table else f"{quote(table)} {quote(self.alias)}"

    def build(self, connection: BaseDatabaseWrapper, values: Sequence[Any]) -> Model:
        """The instance the ORM would have built from ``values`` (one row's slice)."""
        row = list(values)
        for index, column, converters in self._converters_for(connection):
            value = row[index]
            for convert in converters:
                value = convert(value, column, connection)
            row[index] = value
        return self.model.from_db(connection.alias, self.attnames, row)

    def _converters_for(
        self, connection: BaseDatabaseWrapper
    ) -> list[tuple[int, Col, list[Converter]]]:
        found = self._converters.get(connection.alias)
        if found is None:
            found = []
            for index, field in enumerate(self.fields):
                # As the ORM's compiler: the backend's converters, then the column's
                # (a foreign key's are its target field's).
                column = field.get_col(self.alias)
                converters = [
                    *connection.ops.get_db_converters(column),
                    *column.get_db_converters(connection),
                ]
                if converters:
                    found.append((index, column, converters))
            self._converters[connection.alias] = found
        return found


def params(model: type[Model], connection: BaseDatabaseWrapper, **values: Any) -> list[Any]:
    """``values`` (by field name) as the query parameters of ``model``'s fields, in order."""
    return [
        model._meta.get_field(name).get_db_prep_value(value, connection)  # type: ignore[union-attr]
        for name, value in values.items()
    ]


def select_sql(
    connection: BaseDatabaseWrapper,
    columns: Columns,
    where: Sequence[tuple[str, int]],
    *,
    order_by: str = "",
    lock: bool = False,
    skip_locked: bool = False,
) -> str:
    """``SELECT`` the ``columns`` of their table ``WHERE`` each ``(column, n)`` holds.

    A column with ``n`` 1 must equal its parameter, with more it is ``IN`` as many.
    ``lock`` adds ``FOR UPDATE`` (``SKIP LOCKED`` with ``skip_locked``) where the
    database has it; SQLite locks the whole database for the transaction instead.
    """
    quote = connection.ops.quote_name
    table = quote(columns.alias)
    conditions = [
        f"{table}.{quote(column)} = %s"
        if n == 1
        else f"{table}.{quote(column)} IN ({', '.join(['%s'] * n)})"
        for column, n in where
    ]
    # Identifiers from the model's metadata, quoted; every value is a parameter.
    sql = f"SELECT {columns.select(connection)} FROM {columns.table(connection)}"  # noqa: S608
    sql += " WHERE " + " AND ".join(conditions)
    if order_by:
        sql += f" ORDER BY {table}.{quote(order_by)} ASC"
    if lock and connection.features.has_select_for_update:
        sql += " FOR UPDATE"
        if skip_locked and connection.features.has_select_for_update_skip_locked:
            sql += " SKIP LOCKED"
    return sql


class Lookup:
    """``SELECT`` every column of ``model`` ``WHERE`` each of ``fields`` equals a value.

    For the unique lookups of hot paths (by primary key, by an idempotency key):
    at most one row, as ``.filter(...).first()`` would find it. ``for_update``
    locks the row (``SELECT … FOR UPDATE``) where the database can, and like the
    ORM's ``select_for_update`` is refused outside a transaction.
    """

    def __init__(self, model: type[Model], *fields: str, for_update: bool = False) -> None:
        self.columns = Columns(model, model._meta.db_table)
        self.fields = [model._meta.get_field(name) for name in fields]
        self.for_update = for_update
        self._sql: dict[str, str] = {}

    def sql(self, connection: BaseDatabaseWrapper) -> str:
        found = self._sql.get(connection.alias)
        if found is None:
            found = select_sql(
                connection,
                self.columns,
                [(f.column, 1) for f in self.fields],  # type: ignore[union-attr]
                lock=self.for_update,
            )
            self._sql[connection.alias] = found
        return found

    def __call__(self, *values: Any, using: str | None = None) -> Any:
        model = self.columns.model
        connection = connections[
            using or (router.db_for_write(model) if self.for_update else router.db_for_read(model))
        ]
        if self.for_update and connection.get_autocommit():
            raise TransactionManagementError(
                "select_for_update cannot be used outside of a transaction."
            )
        params = [
            field.get_db_prep_value(value, connection)  # type: ignore[union-attr]
            for field, value in zip(self.fields, values, strict=True)
        ]
        with connection.cursor() as cursor:
            cursor.execute(self.sql(connection), params)
            row = cursor.fetchone()
        return None if row is None else self.columns.build(connection, row)


_INSERTS: dict[
    tuple[type[Model], str, tuple[str, ...] | None],
    tuple[str, list[Field[Any, Any]], Field[Any, Any] | None],
] = {}


def insert(obj: Model, *, using: str | None = None) -> Model:
    """``obj.save(force_insert=True)`` with its ``INSERT`` written once per model (see
    ``_insert``)."""
    _insert(obj, using=using)
    return obj


def insert_unless_taken(obj: Model, *unique_fields: str, using: str | None = None) -> bool:
    """Insert ``obj`` unless a row holds its ``unique_fields`` values already: whether it did.

    One statement (``ON CONFLICT (…) DO NOTHING``) instead of a look then a write:
    the unique index on ``unique_fields`` decides, so two callers racing with the
    same values get one row between them. Any other unique constraint still
    raises ``IntegrityError``.
    """
    if not unique_fields:
        raise TypeError("insert_unless_taken() needs the fields of a unique constraint")
    return _insert(obj, using=using, unless_taken=unique_fields)


def _insert(
    obj: Model, *, using: str | None = None, unless_taken: tuple[str, ...] | None = None
) -> bool:
    """``obj.save(force_insert=True)`` with its ``INSERT`` written once per model.

    The values are prepared as the ORM prepares them (``pre_save``, so
    ``auto_now`` and the like apply, then ``get_db_prep_save``) and an automatic
    primary key comes back with ``RETURNING``. Unlike ``save`` it sends no
    ``pre_save``/``post_save`` signals: it is for the hot paths' own rows (an
    order, its lines, an outbox row), which nothing listens to. A model this
    cannot write exactly (a database default, a generated column, a field with
    its own placeholder, a backend without ``RETURNING``) is saved by the ORM.
    """
    model = type(obj)
    connection = connections[using or router.db_for_write(model, instance=obj)]
    key = (model, connection.alias, unless_taken)
    plan = _INSERTS.get(key)
    if plan is None:
        plan = _insert_plan(model, connection, unless_taken)
        if plan is None:
            if unless_taken is not None:
                raise NotSupportedError(f"{connection.vendor} cannot insert {model.__name__} so")
            obj.save(force_insert=True, using=connection.alias)
            return True
        _INSERTS[key] = plan
    sql, fields, returned = plan
    values = [f.get_db_prep_save(f.pre_save(obj, True), connection) for f in fields]
    with connection.cursor() as cursor:
        cursor.execute(sql, values)
        if returned is not None:
            found = cursor.fetchone()
            if found is None:  # ON CONFLICT DO NOTHING: the value was taken
                return False
            (value,) = found
            column = returned.get_col(model._meta.db_table)
            for convert in [
                *connection.ops.get_db_converters(column),
                *column.get_db_converters(connection),
            ]:
                value = convert(value, column, connection)
            setattr(obj, returned.attname, value)
        elif unless_taken is not None and cursor.rowcount != 1:
            return False
    obj._state.adding = False
    obj._state.db = connection.alias
    return True


def _insert_plan(
    model: type[Model], connection: BaseDatabaseWrapper, unless_taken: tuple[str, ...] | None = None
) -> tuple[str, list[Field[Any, Any]], Field[Any, Any] | None] | None:
    fields, returned = [], None
    for field in model._meta.local_concrete_fields:
        if getattr(field, "generated", False) or field.has_db_default():
            return None
        if hasattr(field, "get_placeholder"):
            return None
        if field.primary_key and field.db_returning:
            returned = field
            continue
        fields.append(field)
    if returned is not None and not connection.features.can_return_columns_from_insert:
        return None
    if model._meta.parents:
        return None
    quote = connection.ops.quote_name
    columns = ", ".join(quote(f.column) for f in fields)
    placeholders = ", ".join(["%s"] * len(fields))
    # Identifiers from the model's metadata, quoted; every value is a parameter.
    sql = f"INSERT INTO {quote(model._meta.db_table)} ({columns}) VALUES ({placeholders})"  # noqa: S608
    if unless_taken is not None:
        if not connection.features.supports_ignore_conflicts:
            return None
        target = ", ".join(
            quote(model._meta.get_field(name).column)  # type: ignore[union-attr]
            for name in unless_taken
        )
        sql += f" ON CONFLICT ({target}) DO NOTHING"
    if returned is not None:
        sql += f" RETURNING {quote(returned.column)}"
    return sql, fields, returned


_UPDATES: dict[
    tuple[type[Model], str, tuple[str, ...], tuple[str, ...], bool, Lookup | None],
    tuple[str, list[Field[Any, Any]], list[Field[Any, Any]]],
] = {}


def update(obj: Model, fields: Sequence[str], *, using: str | None = None) -> None:
    """``obj.save(update_fields=fields)`` with its ``UPDATE`` written once per model and fields.

    As ``save``, each field's ``pre_save`` runs (an ``auto_now`` field named in
    ``fields`` is stamped) and the row is found by primary key; unlike it, no
    signals are sent, and a row that is gone raises ``DatabaseError`` as
    ``save(update_fields=…)`` does.
    """
    if _update(obj, fields, using=using, conditions={}) != 1:
        raise DatabaseError("Save with update_fields did not affect any rows.")


def update_if(
    obj: Model, fields: Sequence[str], *, using: str | None = None, **conditions: Any
) -> bool:
    """``update`` of a row that still holds ``conditions`` (field = value): whether it did.

    One ``UPDATE … WHERE pk = %s AND field = %s``, a compare-and-set: no read
    and no lock before it. A concurrent writer holding the row makes it wait,
    and the condition is then checked against what that writer committed.
    """
    return _update(obj, fields, using=using, conditions=conditions) == 1


def update_returning(
    obj: Model,
    fields: Sequence[str],
    columns: Columns,
    *,
    using: str | None = None,
    unless: tuple[Lookup, Sequence[Any]] | None = None,
    **conditions: Any,
) -> Model | None:
    """``update_if`` that answers with the whole row as it is now written, built by
    ``columns`` (``UPDATE … RETURNING``), or None if no row held ``conditions``.

    So a transition needs no read before it: ``obj`` carries only the primary key
    and the new values. ``unless=(lookup, values)`` adds ``AND NOT EXISTS`` the row
    ``lookup(*values)`` would find: a second condition, on another table, checked
    in the same statement. A database that cannot return the rows it updates reads
    the row after the update.
    """
    model = type(obj)
    connection = connections[using or obj._state.db or router.db_for_write(model, instance=obj)]
    if not connection.features.can_return_columns_from_insert:
        written = _update(obj, fields, using=connection.alias, conditions=conditions, unless=unless)
        return model._default_manager.using(connection.alias).get(pk=obj.pk) if written else None
    found = _update(
        obj,
        fields,
        using=connection.alias,
        conditions=conditions,
        returning=columns,
        unless=unless,
    )
    return None if found is None else columns.build(connection, found)


def _update(
    obj: Model,
    fields: Sequence[str],
    *,
    using: str | None,
    conditions: dict[str, Any],
    returning: Columns | None = None,
    unless: tuple[Lookup, Sequence[Any]] | None = None,
) -> Any:
    """The row count; with ``returning``, the row written (None if none was)."""
    model = type(obj)
    connection = connections[using or obj._state.db or router.db_for_write(model, instance=obj)]
    absent = unless[0] if unless is not None else None
    key = (model, connection.alias, tuple(fields), tuple(conditions), returning is not None, absent)
    plan = _UPDATES.get(key)
    if plan is None:
        meta = model._meta
        targets = [meta.get_field(name) for name in fields]
        checked = [meta.get_field(name) for name in conditions]
        quote = connection.ops.quote_name
        assignments = ", ".join(f"{quote(f.column)} = %s" for f in targets)  # type: ignore[union-attr]
        where = "".join(f" AND {quote(f.column)} = %s" for f in checked)  # type: ignore[union-attr]
        # Identifiers from the model's metadata, quoted; every value is a parameter.
        sql = (
            f"UPDATE {quote(meta.db_table)} SET {assignments} "  # noqa: S608
            f"WHERE {quote(meta.pk.column)} = %s{where}"  # type: ignore[union-attr]
        )
        if absent is not None:
            other = absent.columns.model._meta.db_table
            found = " AND ".join(f"{quote(f.column)} = %s" for f in absent.fields)  # type: ignore[union-attr]
            sql += f" AND NOT EXISTS (SELECT 1 FROM {quote(other)} WHERE {found})"  # noqa: S608
        if returning is not None:
            sql += " RETURNING " + ", ".join(quote(f.column) for f in returning.fields)
        plan = _UPDATES[key] = (sql, targets, checked)  # type: ignore[assignment]
    sql, targets, checked = plan
    values = [f.get_db_prep_save(f.pre_save(obj, False), connection) for f in targets]
    pk = model._meta.pk
    values.append(pk.get_db_prep_value(obj.pk, connection))  # type: ignore[union-attr]
    values.extend(
        f.get_db_prep_value(conditions[f.name], connection)  # type: ignore[union-attr]
        for f in checked
    )
    if unless is not None:
        values.extend(
            f.get_db_prep_value(value, connection)  # type: ignore[union-attr]
            for f, value in zip(unless[0].fields, unless[1], strict=True)
        )
    with connection.cursor() as cursor:
        cursor.execute(sql, values)
        if returning is not None:
            return cursor.fetchone()
        return cursor.rowcount
