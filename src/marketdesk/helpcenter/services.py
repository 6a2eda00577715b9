"""Writes of the help center: keeping the search index current and counting "was this helpful?"."""

from __future__ import annotations

from collections.abc import Iterable

from django.contrib.sessions.backends.base import SessionBase
from django.db import connection, transaction
from django.db.models import F

from marketdesk.helpcenter.models import Article
from marketdesk.helpcenter.search_index import sqlite_index_delete, sqlite_index_write

VOTED_SESSION_KEY = "helpcenter_voted"


def article_index_refresh(*, article_ids: Iterable[int]) -> None:
    """Rewrite the full-text rows of these articles (PostgreSQL indexes an expression and needs nothing)."""
    if connection.vendor != "sqlite":
        return
    ids = list(article_ids)
    rows = Article.objects.filter(pk__in=ids).values_list("pk", "language", "title", "body_markdown")
    with transaction.atomic(), connection.cursor() as cursor:
        found = list(rows)
        sqlite_index_delete(cursor, set(ids) - {row[0] for row in found})
        sqlite_index_write(cursor, found)


def article_index_forget(*, article_ids: Iterable[int]) -> None:
    """Drop deleted articles from the full-text index."""
    if connection.vendor != "sqlite":
        return
    with connection.cursor() as cursor:
        sqlite_index_delete(cursor, list(article_ids))


def article_vote(*, article: Article, helpful: bool, session: SessionBase) -> bool:
    """Count one "was this helpful?" answer per session and article; return whether it was counted."""
    voted: list[int] = list(session.get(VOTED_SESSION_KEY, []))
    if article.pk in voted:
        return False
    field = "helpful_yes" if helpful else "helpful_no"
    Article.objects.filter(pk=article.pk).update(**{field: F(field) + 1})
    # Keep the list bounded: a session that rates hundreds of articles only loses old memories.
    session[VOTED_SESSION_KEY] = [*voted[-499:], article.pk]
    return True
