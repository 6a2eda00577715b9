"""The search index of each database: an FTS5 table of stems on SQLite, an expression index on PostgreSQL.

Migrations and services both write through here, so the index always holds what
``selectors.articles_search`` expects to find.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

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
PG_DOCUMENT_COLUMN = "search_document"
PG_DOCUMENT_INDEX = "helpcenter_article_search_document"


def _pg_weighted(config: str) -> str:
    body = f"regexp_replace(body_markdown, '{PG_PLACEHOLDER_PATTERN}', ' ', 'g')"
    return (
        f"setweight(to_tsvector('{config}'::regconfig, coalesce(title, '')), 'A') || "
        f"setweight(to_tsvector('{config}'::regconfig, coalesce({body}, '')), 'B')"
    )


# PostgreSQL keeps each article's document in a stored generated column: computed once per write,
# so ranking a thousand matches reads vectors instead of re-parsing a thousand bodies. The title is
# weight A, which lets a query restricted to A (``word:*A``) tell title matches apart.
CREATE_PG_DOCUMENT_SQL = [
    (
        f"ALTER TABLE helpcenter_article ADD COLUMN {PG_DOCUMENT_COLUMN} tsvector GENERATED ALWAYS AS "
        f"(CASE language WHEN 'ru' THEN {_pg_weighted('russian')} ELSE {_pg_weighted('english')} END) STORED"
    ),
    f"CREATE INDEX {PG_DOCUMENT_INDEX} ON helpcenter_article USING gin ({PG_DOCUMENT_COLUMN})",
]
DROP_PG_DOCUMENT_SQL = [
    f"DROP INDEX IF EXISTS {PG_DOCUMENT_INDEX}",
    f"ALTER TABLE helpcenter_article DROP COLUMN IF EXISTS {PG_DOCUMENT_COLUMN}",
]


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
