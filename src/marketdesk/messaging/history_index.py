"""The history's full-text index: its writer, in English and Russian, and the texts it indexes.

Indexed are person messages' bodies and whatever texts the apps above register as entries
(``register_indexed_text``: cases register case descriptions and decision rationales in their
``ready()``). Every word is stemmed in its own language (a word with Cyrillic letters in Russian,
any other in English) with the help center's words and stems (``helpcenter.text``), so «возвращу»
finds «возвраты» and "refund" finds "refunds". The reads of the index, and the page, are the
``history`` app's.

- **SQLite**: one FTS5 table of stems per kind, its rowid the row's id (a message's row also holds
  its thread id, so a search within a few conversations stays small). ``history_index_message``
  (and the registering app's own call, e.g. ``cases.history_index.history_index_case``) write it
  in the writer's transaction. The rows are append-only and SQLite has one writer at a time, so
  the rows above the highest indexed id are exactly those not indexed yet: a search first catches
  up with them (``history_index_catch_up``: anything written without those calls, e.g. by a bulk
  load), and ``marketdesk history_reindex`` rebuilds the tables.
- **PostgreSQL**: a stored generated ``history_document`` column on each source table, the text's
  tsvector in Russian when it has Cyrillic letters, else in English, with a GIN index (migration
  ``0002_history_search``); PostgreSQL keeps it in step by itself, so the index functions do
  nothing there. The ``russian`` configuration stems Latin words in English, so a mixed text is
  stemmed word by word in its own language, as on SQLite.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.db import connection, transaction
from django.db.models import Model, QuerySet

from marketdesk.helpcenter.text import stem, words
from marketdesk.messaging.models import Message, MessageKind

KIND_MESSAGE = "message"
INDEX_BATCH = 2000
# The tsvector column of each source table on PostgreSQL (migration 0002_history_search).
PG_DOCUMENT_COLUMN = "history_document"

_CYRILLIC = re.compile("[а-яё]", re.IGNORECASE)


@dataclass(frozen=True)
class IndexedText:
    """One kind of indexed text: its model and column, and its full-text table on SQLite."""

    kind: str
    model: type[Model]
    column: str
    fts_table: str
    # Which rows are indexed, for the ORM and in SQL (person messages only, not system lines).
    only: dict[str, str]
    only_sql: str = ""
    # A message's thread is indexed too (FTS column ``thread``), so that a search within a few
    # conversations is narrowed inside the full-text index instead of after it.
    thread_field: str = ""

    def rows(self, qs: QuerySet[Any]) -> list[tuple[Any, ...]]:
        """Return the FTS rows (rowid, stems[, thread]) of the source rows in ``qs``."""
        fields = ("pk", self.column, self.thread_field) if self.thread_field else ("pk", self.column)
        return [(pk, stems_of(text or ""), *extra) for pk, text, *extra in qs.values_list(*fields)]

    @property
    def insert_sql(self) -> str:
        columns = "rowid, body, thread" if self.thread_field else "rowid, body"
        marks = ", ".join(["%s"] * len(columns.split(", ")))
        return f"INSERT INTO {self.fts_table} ({columns}) VALUES ({marks})"  # noqa: S608 (constant names)


MESSAGES = IndexedText(
    KIND_MESSAGE,
    Message,
    "body",
    "messaging_history_message_fts",
    {"kind": MessageKind.TEXT},
    "kind = 'text'",
    thread_field="thread_id",
)

# The indexed texts, messages first, then in the order the apps registered theirs.
_INDEXED: list[IndexedText] = [MESSAGES]


def register_indexed_text(source: IndexedText) -> None:
    """Index ``source``'s texts too (call it from the registering app's ``AppConfig.ready()``); once is enough."""
    if source not in _INDEXED:
        _INDEXED.append(source)


def indexed_texts() -> tuple[IndexedText, ...]:
    """Return every indexed kind of text, messages first."""
    return tuple(_INDEXED)


def language_of(word: str) -> str:
    """Return the language a word is stemmed in: Russian when it has Cyrillic letters, else English."""
    return "ru" if _CYRILLIC.search(word) else "en"


def stems_of(text: str) -> str:
    """Return ``text`` as space-separated stems, each word in its own language: what SQLite indexes."""
    return " ".join(stem(w, language_of(w)) for w in words(text))


def index_on_sqlite() -> bool:
    """Whether the index is written by these functions (SQLite) rather than by the database (PostgreSQL)."""
    return connection.vendor == "sqlite"


def index_above(source: IndexedText, progress: Callable[[str, int], None] | None = None) -> int:
    """Index the rows above the highest indexed id, a batch per transaction; return how many (SQLite)."""
    fts = source.fts_table
    done = 0
    while True:
        with transaction.atomic(), connection.cursor() as cursor:
            # Read under the write lock (SQLite's BEGIN IMMEDIATE): no other writer can add a row meanwhile.
            cursor.execute(f"SELECT max(rowid) FROM {fts}")  # noqa: S608 (constant table name)
            top = cursor.fetchone()[0] or 0
            rows = source.rows(
                source.model._default_manager.filter(pk__gt=top, **source.only).order_by("pk")[:INDEX_BATCH]
            )
            cursor.executemany(source.insert_sql, rows)
        done += len(rows)
        if progress is not None and rows:
            progress(source.kind, done)
        if len(rows) < INDEX_BATCH:
            return done


def index_again(source: IndexedText, pks: Iterable[int]) -> None:
    """Index these rows again (one whose text changed since it was indexed; SQLite)."""
    rows = source.rows(source.model._default_manager.filter(pk__in=list(pks)))
    with connection.cursor() as cursor:
        delete = f"DELETE FROM {source.fts_table} WHERE rowid = %s"  # noqa: S608 (constant table name)
        cursor.executemany(delete, [(row[0],) for row in rows])
        cursor.executemany(source.insert_sql, rows)


def history_index_message(message: Message) -> None:
    """Put a new message in the history's search index (call it in the transaction that wrote it)."""
    if not index_on_sqlite() or message.kind != MessageKind.TEXT:
        return
    with transaction.atomic():
        index_above(MESSAGES)


def _missing_sql(indexed: tuple[IndexedText, ...]) -> str:
    checks = []
    for source in indexed:
        where = f"{source.only_sql} AND " if source.only_sql else ""
        table, fts = source.model._meta.db_table, source.fts_table
        top = f"(SELECT coalesce(max(rowid), 0) FROM {fts})"  # noqa: S608 (constant names)
        checks.append(f"EXISTS (SELECT 1 FROM {table} WHERE {where}id > {top})")  # noqa: S608 (constant names)
    return "SELECT " + ", ".join(checks)


def history_index_catch_up() -> int:
    """Index the rows written without the index functions; return how many (SQLite; PostgreSQL needs nothing)."""
    if not index_on_sqlite():
        return 0
    indexed = indexed_texts()
    with connection.cursor() as cursor:
        # One cheap query when nothing is missing, which is the usual case.
        cursor.execute(_missing_sql(indexed))
        missing = cursor.fetchone()
    return sum(index_above(source) for source, behind in zip(indexed, missing, strict=True) if behind)


def history_index_rebuild(*, progress: Callable[[str, int], None] | None = None) -> dict[str, int]:
    """Rebuild the history's search index from the rows; return the rows indexed per kind.

    SQLite: empty the FTS tables and index every row again, a batch per transaction. PostgreSQL
    computes each row's ``history_document`` as it is written, so there it only refreshes the
    planner's statistics (worth it after a bulk load).
    """
    indexed = indexed_texts()
    if not index_on_sqlite():
        with connection.cursor() as cursor:
            for source in indexed:
                cursor.execute(f"ANALYZE {source.model._meta.db_table}")
        return {s.kind: s.model._default_manager.filter(**s.only).count() for s in indexed}
    with transaction.atomic(), connection.cursor() as cursor:
        for source in indexed:
            cursor.execute(f"DELETE FROM {source.fts_table}")  # noqa: S608 (constant table name)
    return {source.kind: index_above(source, progress) for source in indexed}
