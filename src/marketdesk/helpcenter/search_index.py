"""The search index of each database: an FTS5 table of stems on SQLite, an expression index on PostgreSQL.

Migrations and services both write through here, so the index always holds what
``selectors.articles_search`` expects to find.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.contrib.postgres.search import SearchVector
from django.db.models import F, Func, TextField, Value

from marketdesk.helpcenter.text import stemmed

FTS_TABLE = "helpcenter_article_fts"
PG_CONFIGS = {"en": "english", "ru": "russian"}
# bm25 weights of the FTS columns (title, body): a word in the title counts ten times.
FTS_WEIGHTS = (10.0, 1.0)

CREATE_FTS_SQL = (
    f"CREATE VIRTUAL TABLE IF NOT EXISTS {FTS_TABLE} USING fts5(title, body, tokenize='unicode61 remove_diacritics 0')"
)
DROP_FTS_SQL = f"DROP TABLE IF EXISTS {FTS_TABLE}"


# Policy placeholders name rules in English ("return_refund_business_days"); they are not words of
# the article, so neither index sees them (text.words strips them for SQLite).
PG_PLACEHOLDER_PATTERN = r"\{\{[^}]*\}\}|\{policy:[^}]*\}"


def pg_vector(language: str) -> Any:
    """Return the PostgreSQL document of an article in ``language`` (title weighted above body)."""
    config = Value(PG_CONFIGS[language])
    body = Func(
        F("body_markdown"),
        Value(PG_PLACEHOLDER_PATTERN),
        Value(" "),
        Value("g"),
        function="regexp_replace",
        output_field=TextField(),
    )
    return SearchVector("title", weight="A", config=config) + SearchVector(body, weight="B", config=config)


def sqlite_index_write(cursor: Any, rows: Iterable[tuple[int, str, str, str]]) -> None:
    """Replace the FTS rows of ``(id, language, title, body)`` articles with their stems."""
    rows = list(rows)
    cursor.executemany(f"DELETE FROM {FTS_TABLE} WHERE rowid = %s", [(pk,) for pk, *_ in rows])  # noqa: S608 (constant table name)
    cursor.executemany(
        f"INSERT INTO {FTS_TABLE} (rowid, title, body) VALUES (%s, %s, %s)",  # noqa: S608 (constant table name)
        [(pk, stemmed(title, language), stemmed(body, language)) for pk, language, title, body in rows],
    )


def sqlite_index_delete(cursor: Any, ids: Iterable[int]) -> None:
    """Drop the FTS rows of these articles."""
    cursor.executemany(f"DELETE FROM {FTS_TABLE} WHERE rowid = %s", [(pk,) for pk in ids])  # noqa: S608 (constant table name)
