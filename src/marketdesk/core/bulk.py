"""Set-based writes the ORM lacks: many rows of one table updated, each to its own values, in one statement."""

from __future__ import annotations

from collections.abc import Sequence

from django.db import connection, models

#: Rows per statement: SQLite allows 32,766 parameters, so a dozen columns fit 2,000 rows with room to spare.
CHUNK = 2000


def rows_update(model: type[models.Model], rows: Sequence[models.Model], fields: Sequence[str]) -> int:
    """Write ``fields`` of each row (by primary key) in one UPDATE … FROM (VALUES …) per chunk; return the count.

    Django's ``bulk_update`` builds one CASE per column with an arm per row, which the database
    evaluates row by row: quadratic in the batch. A join on a VALUES list is linear on both
    SQLite (3.33+) and PostgreSQL.
    """
    if not rows:
        return 0
    meta = model._meta
    pk = meta.pk
    if pk is None:
        raise TypeError(f"{model.__name__} has no primary key")
    columns = [pk, *(meta.get_field(name) for name in fields)]
    quote = connection.ops.quote_name
    postgres = connection.vendor == "postgresql"
    # PostgreSQL types a VALUES column from its first row: cast there so NULLs and text become the column's type.
    first = ", ".join(f"CAST(%s AS {col.db_type(connection)})" if postgres else "%s" for col in columns)
    other = ", ".join(["%s"] * len(columns))
    assignments = ", ".join(f"{quote(col.column)} = v.column{i}" for i, col in enumerate(columns[1:], start=2))
    table = quote(meta.db_table)
    done = 0
    with connection.cursor() as cursor:
        for start in range(0, len(rows), CHUNK):
            chunk = rows[start : start + CHUNK]
            params: list[object] = []
            for row in chunk:
                params.extend(col.get_db_prep_save(getattr(row, col.attname), connection) for col in columns)
            values = ", ".join([f"({first})", *[f"({other})"] * (len(chunk) - 1)])
            cursor.execute(
                f"UPDATE {table} SET {assignments} FROM (VALUES {values}) AS v "  # noqa: S608 - names are the model's
                f"WHERE {table}.{quote(pk.column)} = v.column1",
                params,
            )
            done += cursor.rowcount
    return done
