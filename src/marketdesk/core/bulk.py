"""Set-based writes without the ORM's per-row cost: many rows inserted, or updated each to its own values, at once.

The ORM builds every row of a ``bulk_create`` through model instances and per-value SQL
compilation, and ``bulk_update`` one CASE per column with an arm per row, which the database
evaluates row by row (quadratic in the batch). These write plain values with one statement per
chunk (as many rows as the database's parameter limit allows), on SQLite (3.33+) and PostgreSQL.
Values go through each field's own conversion to the database, so they are stored as the ORM would.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from functools import partial
from typing import Any

from django.db import connection, models
from django.db.models.constants import OnConflict

#: Columns whose Python value is already what the database driver takes.
_AS_IS = frozenset(
    {
        "AutoField",
        "BigAutoField",
        "BigIntegerField",
        "BooleanField",
        "CharField",
        "ForeignKey",
        "IntegerField",
        "PositiveIntegerField",
        "SlugField",
        "TextField",
    }
)


def _sqlite_datetime(value: dt.datetime) -> str:
    # What SQLite's adapt_datetimefield_value stores for an aware time on a UTC connection, without its checks.
    return str(value.astimezone(dt.UTC).replace(tzinfo=None))


def _converter(field: models.Field[Any, Any]) -> Callable[[Any], Any] | None:
    kind = field.get_internal_type()
    if kind in _AS_IS:
        return None
    if kind == "DateTimeField" and connection.vendor == "sqlite" and connection.timezone == dt.UTC:
        return _sqlite_datetime
    return partial(field.get_db_prep_save, connection=connection)


def _quoted(field: models.Field[Any, Any]) -> str:
    if field.column is None:
        raise TypeError(f"{field.name} has no column")
    return connection.ops.quote_name(field.column)


def _chunk_size(columns: int) -> int:
    limit = connection.features.max_query_params
    return max(1, limit // columns) if limit else 2000


def _fields(model: type[models.Model], names: Sequence[str]) -> list[models.Field[Any, Any]]:
    return [model._meta.get_field(name) for name in names]  # type: ignore[misc]


def _params(fields: list[models.Field[Any, Any]], rows: Sequence[Sequence[Any]]) -> list[Any]:
    converters = [_converter(field) for field in fields]
    params: list[Any] = []
    for row in rows:
        params.extend(
            value if convert is None or value is None else convert(value)
            for value, convert in zip(row, converters, strict=True)
        )
    return params


def rows_insert(
    model: type[models.Model], fields: Sequence[str], rows: Sequence[Sequence[Any]], *, ignore_conflicts: bool = False
) -> None:
    """Insert ``rows`` (tuples of values in the order of ``fields``); a row a unique key already holds is skipped if asked."""
    if not rows:
        return
    columns = _fields(model, fields)
    quote = connection.ops.quote_name
    on_conflict = OnConflict.IGNORE if ignore_conflicts else None
    head = (
        f"{connection.ops.insert_statement(on_conflict=on_conflict)} {quote(model._meta.db_table)} "
        f"({', '.join(_quoted(col) for col in columns)}) VALUES "
    )
    tail = connection.ops.on_conflict_suffix_sql(columns, on_conflict, None, None)
    one = "(" + ", ".join(["%s"] * len(columns)) + ")"
    size = _chunk_size(len(columns))
    with connection.cursor() as cursor:
        for start in range(0, len(rows), size):
            chunk = rows[start : start + size]
            cursor.execute(f"{head}{', '.join([one] * len(chunk))} {tail}", _params(columns, chunk))


def rows_update(model: type[models.Model], rows: Sequence[models.Model], fields: Sequence[str]) -> int:
    """Write ``fields`` of each row (by primary key) in one UPDATE … FROM (VALUES …) per chunk; return the count."""
    if not rows:
        return 0
    pk = model._meta.pk
    if pk is None:
        raise TypeError(f"{model.__name__} has no primary key")
    columns = [pk, *_fields(model, fields)]
    quote = connection.ops.quote_name
    postgres = connection.vendor == "postgresql"
    # PostgreSQL types a VALUES column from its first row: cast there so NULLs and text become the column's type.
    first = ", ".join(f"CAST(%s AS {col.db_type(connection)})" if postgres else "%s" for col in columns)
    other = ", ".join(["%s"] * len(columns))
    assignments = ", ".join(f"{_quoted(col)} = v.column{i}" for i, col in enumerate(columns[1:], start=2))
    table = quote(model._meta.db_table)
    size = _chunk_size(len(columns))
    done = 0
    with connection.cursor() as cursor:
        for start in range(0, len(rows), size):
            chunk = rows[start : start + size]
            values = ", ".join([f"({first})", *[f"({other})"] * (len(chunk) - 1)])
            cursor.execute(
                f"UPDATE {table} SET {assignments} FROM (VALUES {values}) AS v "  # noqa: S608 - names are the model's
                f"WHERE {table}.{_quoted(pk)} = v.column1",
                _params(columns, [[getattr(row, col.attname) for col in columns] for row in chunk]),
            )
            done += cursor.rowcount
    return done


def ids_reserve(model: type[models.Model], count: int) -> list[int]:
    """Return ``count`` unused primary keys of ``model``'s table, so rows can point at rows not yet inserted.

    Inside the caller's transaction: on PostgreSQL from the table's sequence; on SQLite above the highest
    id the table has held (its write lock is held until the transaction ends, so nobody takes them).
    """
    if count == 0:
        return []
    table = model._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)", [table, count]
            )
            return [row[0] for row in cursor.fetchall()]
        # The table name comes from model metadata, quoted by the backend: nothing user-supplied.
        cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {connection.ops.quote_name(table)}")  # noqa: S608
        highest = cursor.fetchone()[0]
        cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [table])
        row = cursor.fetchone()
        start = max(highest, row[0] if row else 0) + 1
        return list(range(start, start + count))
