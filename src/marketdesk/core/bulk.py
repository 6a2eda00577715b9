"""Set-based writes without the ORM's per-row cost: many rows inserted, or updated each to its own values, at once.

The ORM builds every row of a ``bulk_create`` through model instances and per-value SQL
compilation, and ``bulk_update`` one CASE per column with an arm per row, which the database
evaluates row by row (quadratic in the batch). These write plain values with one statement per
chunk (as many rows as the database's parameter limit allows), on SQLite (3.33+) and PostgreSQL.
Values go through each field's own conversion to the database, so they are stored as the ORM would.
"""

from __future__ import annotations

import datetime as dt
import enum
import functools
import threading
import weakref
from collections import OrderedDict
from collections.abc import Callable, Collection, Hashable, Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connection, connections, models
from django.db.models.constants import OnConflict
from django.db.models.expressions import Col, Value
from django.db.models.query import QuerySet, get_related_populators
from django.db.transaction import TransactionManagementError

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


_NO_OFFSET = dt.timedelta(0)


def _sqlite_datetime(value: dt.datetime) -> str:
    # What SQLite's adapt_datetimefield_value stores for an aware time on a UTC connection, without its checks.
    # A time already in UTC (nearly all) skips the conversion: its ISO form less the "+00:00" is the same text.
    if value.utcoffset() == _NO_OFFSET:
        return value.isoformat(" ")[:-6]
    return str(value.astimezone(dt.UTC).replace(tzinfo=None))


def _sqlite_datetime_read(value: str | None) -> dt.datetime | None:
    # The stored text (UTC, no zone), read as text: Django's converter for the declared type parses by regex.
    return None if value is None else dt.datetime.fromisoformat(value + "+00:00")


def _converter(field: models.Field[Any, Any], *, encoded: bool = False) -> Callable[[Any], Any] | None:
    kind = field.get_internal_type()
    if kind in _AS_IS or encoded:
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


def _params(
    fields: list[models.Field[Any, Any]], rows: Sequence[Sequence[Any]], encoded: Collection[str] = ()
) -> list[Any]:
    return _converted_params(_converters(tuple(fields), frozenset(encoded), connection.vendor), rows)


@functools.cache
def _converters(
    fields: tuple[models.Field[Any, Any], ...], encoded: frozenset[str], vendor: str
) -> tuple[tuple[Callable[[Any], Any] | None, bool], ...]:
    """Each field's conversion to the database (None: its value goes as it is) and whether it is a date-time.

    ``vendor``: the conversions are the database's.
    """
    return tuple(
        (_converter(field, encoded=field.name in encoded), field.get_internal_type() == "DateTimeField")
        for field in fields
    )


def _converted_params(
    converters: Sequence[tuple[Callable[[Any], Any] | None, bool]], rows: Sequence[Sequence[Any]]
) -> list[Any]:
    # Column by column: a batch repeats its times (now, a parcel's unchanged ones), each converted once.
    columns: list[Sequence[Any]] = list(zip(*rows, strict=True)) or [() for _c in converters]
    for i, (convert, is_time) in enumerate(converters):
        if convert is None:
            continue
        if is_time:
            memo: dict[Any, Any] = {None: None}
            for value in set(columns[i]) - memo.keys():
                memo[value] = convert(value)
            columns[i] = [memo[value] for value in columns[i]]
        else:
            columns[i] = [None if value is None else convert(value) for value in columns[i]]
    return [value for row in zip(*columns, strict=True) for value in row]


def _placeholder(field: models.Field[Any, Any], *, encoded: bool) -> str:
    # JSON already encoded is text to the driver: PostgreSQL is told it is the column's type.
    if encoded and connection.vendor == "postgresql" and field.get_internal_type() == "JSONField":
        return f"CAST(%s AS {field.db_type(connection)})"
    return "%s"


def rows_insert(
    model: type[models.Model],
    fields: Sequence[str],
    rows: Sequence[Sequence[Any]],
    *,
    ignore_conflicts: bool = False,
    encoded: Collection[str] = (),
    returning: Sequence[str] = (),
) -> list[tuple[Any, ...]]:
    """Insert ``rows`` (tuples of values in the order of ``fields``); a row a unique key already holds is skipped if asked.

    Values of the fields named in ``encoded`` are already in the database's form (JSON as its text) and go as they
    are. Returns the ``returning`` fields of the rows stored (a skipped row returns nothing), as the driver gives them.
    """
    if not rows:
        return []
    statement = _insert_statement(
        model,
        tuple(fields),
        ignore_conflicts=ignore_conflicts,
        encoded=frozenset(encoded),
        returning=tuple(returning),
        vendor=connection.vendor,
    )
    stored: list[tuple[Any, ...]] = []
    with connection.cursor() as cursor:
        for start in range(0, len(rows), statement.size):
            chunk = rows[start : start + statement.size]
            values = statement.one if len(chunk) == 1 else ", ".join([statement.one] * len(chunk))
            cursor.execute(f"{statement.head}{values} {statement.tail}", _converted_params(statement.converters, chunk))
            if returning:
                stored.extend(cursor.fetchall())
    return stored


@dataclass(frozen=True, slots=True)
class _Insert:
    """An INSERT of ``rows_insert`` less its rows: what precedes them, one row's placeholders, what follows."""

    head: str
    one: str
    tail: str
    size: int  # rows a statement takes
    converters: tuple[tuple[Callable[[Any], Any] | None, bool], ...]


@functools.cache
def _insert_statement(
    model: type[models.Model],
    fields: tuple[str, ...],
    *,
    ignore_conflicts: bool,
    encoded: frozenset[str],
    returning: tuple[str, ...],
    vendor: str,
) -> _Insert:
    """The INSERT of these columns, built once per shape (``vendor``: the SQL is the database's)."""
    columns = _fields(model, fields)
    on_conflict = OnConflict.IGNORE if ignore_conflicts else None
    tail = connection.ops.on_conflict_suffix_sql(columns, on_conflict, None, None)
    if returning:
        tail += f" RETURNING {', '.join(_quoted(col) for col in _fields(model, returning))}"
    return _Insert(
        head=(
            f"{connection.ops.insert_statement(on_conflict=on_conflict)} "
            f"{connection.ops.quote_name(model._meta.db_table)} ({', '.join(_quoted(col) for col in columns)}) VALUES "
        ),
        one="(" + ", ".join(_placeholder(col, encoded=col.name in encoded) for col in columns) + ")",
        tail=tail,
        size=_chunk_size(len(columns)),
        converters=_converters(tuple(columns), encoded, vendor),
    )


def instance_insert(obj: models.Model, *, ignore_conflicts: bool = False) -> bool:
    """Insert one new instance (its concrete fields but an auto key) in one plain INSERT; return whether it was stored.

    For rows a hot write appends whose model keeps no logic in ``save()`` (events, outbox rows, records), or whose
    caller does what its ``save()`` would (a case: its queue deadline and stored status): the ORM's insert compiles
    the statement field by field each time, which cost more than the insert itself. No ``pre_save``/``post_save``
    signal is sent. The instance comes back as saved, with its key and generated columns; a row a unique key
    already holds is skipped if asked (False).
    """
    meta = obj._meta
    auto = obj.pk is None
    shape = _instance_shape(type(obj), auto=auto)
    stored = rows_insert(
        type(obj),
        shape.names,
        [[getattr(obj, attname) for attname in shape.attnames]],
        ignore_conflicts=ignore_conflicts,
        returning=shape.returning,
    )
    if not stored:
        return False
    obj.pk = stored[0][0]
    for field, stored_value in zip(shape.generated, stored[0][1:], strict=True):
        setattr(obj, field.attname, _converted(stored_value, field.get_col(meta.db_table), connection))
    obj._state.adding = False
    obj._state.db = connection.alias
    return True


@dataclass(frozen=True, slots=True)
class _Shape:
    """What ``instance_insert`` writes of a model and reads back."""

    names: tuple[str, ...]  # the fields written
    attnames: tuple[str, ...]  # their attributes on the instance
    returning: tuple[str, ...]  # the key, then the generated columns
    generated: tuple[models.Field[Any, Any], ...]


@functools.cache
def _instance_shape(model: type[models.Model], *, auto: bool) -> _Shape:
    """The fields ``instance_insert`` writes (all concrete ones but an auto key without a value, ``auto``)."""
    meta = model._meta
    pk = meta.pk
    if pk is None:
        raise TypeError(f"{model.__name__} has no primary key")
    auto = auto and isinstance(pk, models.AutoField)
    # Columns the database computes (a GeneratedField) are not written; they come back with the key.
    generated = tuple(f for f in meta.concrete_fields if f.generated)
    fields = [f for f in meta.concrete_fields if not (auto and f is pk) and not f.generated]
    return _Shape(
        names=tuple(f.name for f in fields),
        attnames=tuple(f.attname for f in fields),
        returning=(pk.name, *(f.name for f in generated)),
        generated=generated,
    )


def row_first[M: models.Model](
    model: type[M], where: str, params: Sequence[Any], *, order_by: str = "", fields: Sequence[str] = ()
) -> M | None:
    """Return the first row of ``model`` that ``where`` matches (SQL on its columns, ``%s`` for ``params``), or None.

    For a read every hot write makes (one row by a key, or none): the ORM compiled the query on every call, at
    several times the cost of running it; this writes the statement and builds the instance as the ORM does
    (``Model.objects.raw``). ``fields`` narrows the columns read to the key and those (the rest load if asked);
    ``order_by`` is SQL too. Date-times among ``params`` are passed as the database compares them.
    """
    db = connections[DEFAULT_DB_ALIAS]  # once: each use of the ``connection`` proxy looks the thread's one up again
    meta = model._meta
    expressions, selected = _row_columns(model, tuple(fields), db.vendor)
    values = [_as_param(value) for value in params]
    sql = (
        f"SELECT {selected} FROM {db.ops.quote_name(meta.db_table)} "  # noqa: S608 - the model's names
        f"WHERE {where}{f' ORDER BY {order_by}' if order_by else ''} LIMIT 1"
    )
    with db.cursor() as cursor:
        cursor.execute(sql, values)
        row = cursor.fetchone()
    if row is None:
        return None
    # What ``Model.objects.raw`` does with the row, without its per-query set-up (resolving the columns to fields
    # by name, compiling a query for the converters): each column through its field's database converters, then
    # the instance built by ``from_db`` (a narrowed read defers the other fields).
    converted = [_converted(value, expression, db) for value, expression in zip(row, expressions, strict=True)]
    return model.from_db(db.alias, [col.target.attname for col in expressions], converted)


def _converted(value: Any, expression: Col, db: Any) -> Any:
    """A column's value as the driver gave it, through its field's database converters (as the ORM reads it)."""
    for convert in db.ops.get_db_converters(expression) + expression.get_db_converters(db):
        value = convert(value, expression, db)
    return value


@functools.cache
def _row_columns(model: type[models.Model], fields: tuple[str, ...], vendor: str) -> tuple[list[Col], str]:
    """Return the columns ``row_first`` reads for ``fields`` (all when none), as the ORM's column expressions, and
    their quoted select list (``vendor``: the quoting is the database's)."""
    meta = model._meta
    pk = meta.pk
    if pk is None:
        raise TypeError(f"{model.__name__} has no primary key")
    named = {pk, *_fields(model, [name for name in fields if name != "pk"])} if fields else set(meta.concrete_fields)
    # In the model's order, the one ``from_db`` takes values in.
    columns = [field for field in meta.concrete_fields if field in named]
    return [col.get_col(meta.db_table) for col in columns], ", ".join(_quoted(col) for col in columns)


def _as_param(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return connection.ops.adapt_datetimefield_value(value)
    return value.value if isinstance(value, enum.Enum) else value  # a choice as its stored text


def placeholders(values: Collection[Any]) -> str:
    """Return ``%s, %s, …``, one per value (an ``IN (…)`` of ``row_first``'s SQL)."""
    return ", ".join(["%s"] * len(values))


def _selected(columns: Sequence[models.Field[Any, Any]]) -> tuple[str, list[int]]:
    # The select list, and which of its columns are SQLite date-times read as text (parsed by ``_times_parsed``).
    sqlite_times = [
        i
        for i, col in enumerate(columns)
        if col.get_internal_type() == "DateTimeField" and connection.vendor == "sqlite"
    ]
    selected = ", ".join(
        f"CAST({_quoted(col)} AS TEXT)" if i in sqlite_times else _quoted(col) for i, col in enumerate(columns)
    )
    return selected, sqlite_times


def _times_parsed(rows: Sequence[Sequence[Any]], sqlite_times: list[int]) -> list[tuple[Any, ...]]:
    if not sqlite_times:
        return list(rows)  # type: ignore[arg-type]
    # Rows of a batch share many times (when they were last updated, their flags computed): each text parsed once.
    seen: dict[str | None, dt.datetime | None] = {None: None}
    found = []
    for row in rows:
        values = list(row)
        for i in sqlite_times:
            text = values[i]
            moment = seen.get(text, _UNSEEN)
            if moment is _UNSEEN:
                moment = seen[text] = _sqlite_datetime_read(text)
            values[i] = moment
        found.append(tuple(values))
    return found


_UNSEEN: Any = object()


def rows_read(
    model: type[models.Model], fields: Sequence[str], pks: Collection[int], *, lock: bool = False
) -> list[tuple[Any, ...]]:
    """Return (pk, *fields) of the rows with these primary keys, by pk, locked for update if asked.

    Plain tuples: reading a batch's rows as model instances cost more than the query.
    Date-times come back aware (UTC); other values as the driver gives them.
    """
    if not pks:
        return []
    pk = model._meta.pk
    if pk is None:
        raise TypeError(f"{model.__name__} has no primary key")
    columns = [pk, *_fields(model, fields)]
    table = connection.ops.quote_name(model._meta.db_table)
    size = _chunk_size(1)
    ordered = sorted(pks)
    suffix = " FOR UPDATE" if lock and connection.features.has_select_for_update else ""
    selected, sqlite_times = _selected(columns)
    found: list[tuple[Any, ...]] = []
    with connection.cursor() as cursor:
        for start in range(0, len(ordered), size):
            chunk = ordered[start : start + size]
            cursor.execute(
                f"SELECT {selected} FROM {table} "  # noqa: S608 - the model's names
                f"WHERE {_quoted(pk)} IN ({placeholders(chunk)}) ORDER BY {_quoted(pk)}{suffix}",
                chunk,
            )
            found.extend(_times_parsed(cursor.fetchall(), sqlite_times))
    return found


def rows_matching(
    model: type[models.Model],
    fields: Sequence[str],
    *,
    within: Sequence[tuple[str, Collection[Any]]],
) -> list[tuple[Any, ...]]:
    """Return ``fields`` of the rows whose every ``within`` field holds one of its values (plain tuples).

    For a batch's look-up by natural keys (a thousand tracking numbers): the ORM prepares each value of an
    ``__in`` list through its lookup machinery, which cost more than the query. Values go as they are (plain
    text and integers); the last field of ``within`` may hold more values than one statement takes. Date-times come
    back aware (UTC); other values as the driver gives them.
    """
    if any(not values for _name, values in within):
        return []
    columns = _fields(model, fields)
    *fixed, (last, many) = [(model._meta.get_field(name), list(values)) for name, values in within]
    size = _chunk_size(1) - sum(len(values) for _field, values in fixed)
    selected, sqlite_times = _selected(columns)
    found: list[tuple[Any, ...]] = []
    with connection.cursor() as cursor:
        for start in range(0, len(many), size):
            chunk = many[start : start + size]
            where = " AND ".join(
                f"{_quoted(field)} IN ({placeholders(values)})"  # type: ignore[arg-type]
                for field, values in [*fixed, (last, chunk)]
            )
            cursor.execute(
                f"SELECT {selected} "  # noqa: S608 - the model's names
                f"FROM {connection.ops.quote_name(model._meta.db_table)} WHERE {where}",
                [value for _field, values in fixed for value in values] + chunk,
            )
            found.extend(_times_parsed(cursor.fetchall(), sqlite_times))
    return found


def rows_update(model: type[models.Model], rows: Sequence[models.Model], fields: Sequence[str]) -> int:
    """Write ``fields`` of each row (by primary key) in one UPDATE … FROM (VALUES …) per chunk; return the count."""
    names = [model._meta.pk.attname, *(model._meta.get_field(name).attname for name in fields)]  # type: ignore[union-attr]
    return rows_update_values(model, fields, [[getattr(row, name) for name in names] for row in rows])


def rows_update_values(model: type[models.Model], fields: Sequence[str], rows: Sequence[Sequence[Any]]) -> int:
    """Write plain rows (pk, *values in the order of ``fields``) in one statement per chunk; return the count.

    PostgreSQL joins the rows as UPDATE … FROM (VALUES …); SQLite runs one prepared UPDATE over them.
    """
    if not rows:
        return 0
    pk = model._meta.pk
    if pk is None:
        raise TypeError(f"{model.__name__} has no primary key")
    columns = [pk, *_fields(model, fields)]
    quote = connection.ops.quote_name
    if connection.vendor == "sqlite":
        # SQLite runs one prepared UPDATE by primary key per row (one statement, many parameter sets) for about
        # two thirds of the cost of joining the rows to a VALUES list, which it first copies into a table.
        width = len(columns)
        flat = _params(columns, rows)
        with connection.cursor() as cursor:
            cursor.executemany(
                f"UPDATE {quote(model._meta.db_table)} SET "  # noqa: S608 - names are the model's
                f"{', '.join(f'{_quoted(col)} = %s' for col in columns[1:])} WHERE {_quoted(pk)} = %s",
                [[*flat[i + 1 : i + width], flat[i]] for i in range(0, len(flat), width)],
            )
            return cursor.rowcount
    postgres = connection.vendor == "postgresql"
    # PostgreSQL types a VALUES column from its first row: cast there so NULLs and text become the column's type.
    first = ", ".join(f"CAST(%s AS {col.db_type(connection)})" if postgres else "%s" for col in columns)
    other = placeholders(columns)
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
                _params(columns, chunk),
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


class Bound(Value):
    """A value a compiled statement is run with each time (``first_compiled``): compiled as a placeholder only.

    ``Bound("key", output_field=field)`` stands where the value goes (``.filter(external_id=Bound(...))``); the value
    itself is given to each run, and converted for the database by ``output_field`` as the ORM would.
    """

    def __init__(self, name: str, *, output_field: models.Field[Any, Any]) -> None:
        super().__init__(None, output_field=output_field)
        self.name = name

    def as_sql(self, compiler: Any, connection: Any) -> tuple[str, tuple[Any, ...]]:
        return "%s", (self,)


@dataclass(frozen=True, slots=True)
class _Compiled:
    """What running a compiled queryset needs again: its statement, and how its rows become instances."""

    sql: str
    params: tuple[Any, ...]
    locks: bool
    converters: tuple[tuple[int, tuple[Any, ...], Any], ...]
    fields: tuple[int, int]
    init_list: tuple[str, ...]
    from_db: Callable[..., models.Model]
    populators: tuple[Any, ...]
    track_peers: bool


#: Statements compiled once per shape (a shape is the caller's key), per database: the last 512 compiled are kept.
_COMPILED: OrderedDict[Hashable, _Compiled] = OrderedDict()
_COMPILED_KEPT = 512
_compiled_lock = threading.Lock()


def _compile(queryset: QuerySet[Any]) -> _Compiled:
    # What ModelIterable does before its first row, kept: the statement, the columns' converters, the instance's
    # fields and the related instances' populators (each reusable: they hold positions and classes only).
    compiler = queryset.query.get_compiler(using=queryset.db)
    sql, params = compiler.as_sql()
    select, klass_info = compiler.select, compiler.klass_info
    if compiler.annotation_col_map or queryset._known_related_objects:  # type: ignore[attr-defined]
        raise TypeError("first_compiled reads plain model rows (no annotations, no known related objects)")
    start, end = klass_info["select_fields"][0], klass_info["select_fields"][-1] + 1
    fetch_mode = queryset._fetch_mode  # type: ignore[attr-defined]
    converters = compiler.get_converters([column[0] for column in select[: compiler.col_count]])
    return _Compiled(
        sql=sql,
        params=tuple(params),
        locks=bool(queryset.query.select_for_update),
        converters=tuple((pos, tuple(convs), expression) for pos, (convs, expression) in converters.items()),
        fields=(start, end),
        init_list=tuple(column[0].target.attname for column in select[start:end]),
        from_db=partial(klass_info["model"].from_db, fetch_mode=fetch_mode),
        populators=tuple(get_related_populators(klass_info, select, queryset.db, fetch_mode)),
        track_peers=fetch_mode.track_peers,
    )


def first_compiled[M: models.Model](shape: Hashable, build: Callable[[], QuerySet[M]], **values: Any) -> M | None:
    """Return the first row of the queryset ``build()`` returns, compiled to SQL once per ``shape``, or None.

    For a selector's one-row read that every hot write makes (the order as the actor sees it, locked): Django
    compiles a queryset anew on each call, which cost several times running it. ``build`` must return the same
    statement whenever it is called for the same ``shape`` (a pure function of it: the shape names the selector
    and what its scoping reads, such as the actor); every value that differs between calls stands in it as
    ``Bound(name, ...)`` and is given here by name. Only the statement is kept, never a row: each call reads the
    database. The instance is built as the queryset would build it (its ``select_related`` instances along).
    """
    db = connections[DEFAULT_DB_ALIAS]
    key = (shape, db.alias, db.vendor)
    compiled = _COMPILED.get(key)
    if compiled is None:
        queryset = build()
        if queryset.db != db.alias:
            raise TypeError("first_compiled reads the default database")
        compiled = _compile(queryset)
        with _compiled_lock:
            _COMPILED[key] = compiled
            while len(_COMPILED) > _COMPILED_KEPT:
                _COMPILED.popitem(last=False)
    if compiled.locks and db.features.has_select_for_update and db.get_autocommit():
        # What the compiler checks each time it compiles a locking read.
        raise TransactionManagementError("select_for_update cannot be used outside of a transaction.")
    params = [
        p.output_field.get_db_prep_value(values[p.name], connection=db) if isinstance(p, Bound) else p
        for p in compiled.params
    ]
    with db.cursor() as cursor:
        cursor.execute(compiled.sql, params)
        fetched = cursor.fetchone()
    if fetched is None:
        return None
    row = list(fetched)
    for pos, convs, expression in compiled.converters:
        value = row[pos]
        for convert in convs:
            value = convert(value, expression, db)
        row[pos] = value
    start, end = compiled.fields
    obj: M = compiled.from_db(db.alias, list(compiled.init_list), row[start:end])  # type: ignore[assignment]
    if compiled.track_peers:
        obj._state.peers = [weakref.ref(obj)]
    for populator in compiled.populators:
        populator.populate(row, obj)
    return obj
