"""Reads of the help center: categories, articles, translations and search.

The help center is public, so nothing here is scoped to an actor: every reader
sees the same published articles.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable

from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVectorField
from django.db import connection
from django.db.models import Case, Count, F, Q, QuerySet, Value, When
from django.db.models.expressions import RawSQL

from marketdesk.helpcenter.models import Article, ArticleLanguage, HelpCategory
from marketdesk.helpcenter.search_index import FTS_TABLE, FTS_WEIGHTS, PG_CONFIGS, PG_DOCUMENT_COLUMN
from marketdesk.helpcenter.text import query_words, stem_variants, words

MIN_PREFIX_LENGTH = 3
FUZZY_CUTOFF = 0.75


def categories_with_counts(*, language: str) -> QuerySet[HelpCategory]:
    """List the categories with the number of published articles in ``language``."""
    published = Q(articles__published=True, articles__language=language)
    # Meta.ordering is dropped from aggregating queries, so order explicitly.
    return HelpCategory.objects.annotate(article_count=Count("articles", filter=published)).order_by("position", "slug")


def articles_in_category(*, category: HelpCategory, language: str) -> QuerySet[Article]:
    """List the published articles of a category in ``language``."""
    return Article.objects.filter(category=category, language=language, published=True).order_by("position", "title")


def article_get(*, slug: str, language: str) -> Article:
    """Return the published article with ``slug``, preferring the one in ``language``."""
    candidates = Article.objects.select_related("category").filter(slug=slug, published=True)
    article = candidates.filter(language=language).first() or candidates.first()
    if article is None:
        raise Article.DoesNotExist(slug)
    return article


def article_translations(*, article: Article) -> list[Article]:
    """List the published translations of an article (the other languages)."""
    return list(
        Article.objects.filter(translation_group=article.translation_group, published=True)
        .exclude(pk=article.pk)
        .order_by("language")
    )


def articles_search(*, query: str, language: str, limit: int = 20) -> list[Article]:
    """Find published articles in ``language`` by stems of the query's words, then by corrected spelling.

    All the query's words must match; failing that, any one of them; failing that, each word is
    replaced by the closest word of an article title (typo tolerance) and the search runs again.
    """
    if language not in ArticleLanguage.values or limit < 1:
        return []
    terms = query_words(query, language)
    if not terms:
        return []
    search = _search_ids_postgres if connection.vendor == "postgresql" else _search_ids_sqlite
    ids = _search_all_then_any(search, terms, language, limit)
    if not ids:
        corrected = _corrected(terms, language)
        if corrected != terms:
            ids = _search_all_then_any(search, corrected, language, limit)
    if not ids:
        return []
    by_id = Article.objects.select_related("category").in_bulk(ids)
    return [by_id[pk] for pk in ids if pk in by_id]


SearchIds = Callable[[list[list[str]], str, int], list[int]]


def articles_for_reason(*, query: str, reason: str, language: str, limit: int = 3, depth: int = 10) -> list[Article]:
    """Return up to ``limit`` articles found by ``query``'s words, those of the help category ``reason`` first.

    When the search (its first ``depth`` hits) finds nothing of that category, its top articles lead the list.
    """
    found = articles_search(query=query, language=language, limit=depth)
    of_reason = [article for article in found if article.category.slug == reason]
    if not of_reason:
        category = HelpCategory.objects.filter(slug=reason).first()
        if category is not None:
            of_reason = list(articles_in_category(category=category, language=language)[: 1 if found else limit])
    chosen: list[Article] = []
    for article in [*of_reason, *found]:
        if article not in chosen:
            chosen.append(article)
    return chosen[:limit]


def _search_all_then_any(search: SearchIds, terms: list[str], language: str, limit: int) -> list[int]:
    groups = [stem_variants(term, language) for term in terms]
    ids = search(groups, language, limit)
    if not ids and len(groups) > 1:
        ids = search([[v for group in groups for v in group]], language, limit)
    return ids


def _corrected(terms: list[str], language: str) -> list[str]:
    titles = Article.objects.filter(language=language, published=True).values_list("title", flat=True)
    vocabulary = sorted({w for title in titles for w in words(title) if len(w) > 2})
    known = set(vocabulary)
    corrected = []
    for term in terms:
        match = None if term in known else difflib.get_close_matches(term, vocabulary, n=1, cutoff=FUZZY_CUTOFF)
        corrected.append(match[0] if match else term)
    return corrected


def _fts_term(stem: str) -> str:
    # Stems hold only letters and digits (text.WORD_RE), so quoting cannot be broken out of.
    return f'"{stem}"*' if len(stem) >= MIN_PREFIX_LENGTH else f'"{stem}"'


def _search_ids_sqlite(groups: list[list[str]], language: str, limit: int) -> list[int]:
    """Each group is a list of alternative stems; every group must match."""
    match = " AND ".join("(" + " OR ".join(_fts_term(s) for s in group) + ")" for group in groups)
    title_weight, body_weight = FTS_WEIGHTS
    # Articles whose title matches come first: bm25 alone lets a long body full of the word win.
    sql = (
        f"SELECT a.id FROM {FTS_TABLE} f JOIN helpcenter_article a ON a.id = f.rowid "  # noqa: S608 (constants only)
        f"WHERE {FTS_TABLE} MATCH %s AND a.language = %s AND a.published "
        f"ORDER BY f.rowid NOT IN (SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s), "
        f"bm25({FTS_TABLE}, {title_weight}, {body_weight}), a.id LIMIT %s"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [match, language, f"title : ({match})", limit])
        return [row[0] for row in cursor.fetchall()]


def _pg_term(word: str, weights: str = "") -> str:
    # Words hold only letters and digits (text.WORD_RE): nothing can act as a tsquery operator.
    return f"{word}:*{weights}" if len(word) >= MIN_PREFIX_LENGTH else (f"{word}:{weights}" if weights else word)


def _pg_raw(groups: list[list[str]], weights: str = "") -> str:
    return " & ".join("(" + " | ".join(_pg_term(w, weights) for w in group) + ")" for group in groups)


def _search_ids_postgres(groups: list[list[str]], language: str, limit: int) -> list[int]:
    """Each group is a list of alternative words; every group must match."""
    config = PG_CONFIGS[language]
    query = SearchQuery(_pg_raw(groups), config=config, search_type="raw")
    # Weight A is the title (search_index.CREATE_PG_DOCUMENT_SQL): title matches come first, as on SQLite.
    in_title = SearchQuery(_pg_raw(groups, "A"), config=config, search_type="raw")
    # The column exists only on PostgreSQL, so the model does not declare it; the name is a constant.
    column = f'"helpcenter_article"."{PG_DOCUMENT_COLUMN}"'
    document = RawSQL(column, (), output_field=SearchVectorField())  # noqa: S611
    return list(
        Article.objects.filter(language=language, published=True)
        .annotate(document=document)
        .filter(document=query)
        .annotate(
            rank=SearchRank(F("document"), query),
            title_hit=Case(When(document=in_title, then=Value(0)), default=Value(1)),
        )
        .order_by("title_hit", "-rank", "id")
        .values_list("id", flat=True)[:limit]
    )
