"""What a page or the API shows of an article: its HTML with today's policy numbers, and a snippet."""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import reverse

from marketdesk.core.policies import Policy
from marketdesk.helpcenter.models import Article
from marketdesk.helpcenter.rendering import article_html, plain_text
from marketdesk.helpcenter.text import WORD_RE, query_words, stem, stem_variants

SNIPPET_LENGTH = 180


@dataclass(frozen=True)
class ArticleCard:
    """One search result or list entry."""

    slug: str
    title: str
    category: str
    language: str
    url: str
    snippet: str


def article_url(article: Article) -> str:
    """Return the article's page address."""
    return reverse("helpcenter:article", args=[article.slug])


def article_snippet(*, text: str, query: str, language: str) -> str:
    """Return about ``SNIPPET_LENGTH`` characters of ``text`` around the first word the query matches."""
    stems = tuple(v for w in query_words(query, language) for v in stem_variants(w, language))
    start = 0
    if stems:
        lowered = text.lower().replace("ё", "е")
        for match in WORD_RE.finditer(lowered):
            if stem(match.group(), language).startswith(stems):
                start = max(0, match.start() - SNIPPET_LENGTH // 3)
                break
    if start:
        # Begin on a word boundary.
        space = text.find(" ", start)
        start = space + 1 if 0 <= space < start + 20 else start
    snippet = text[start : start + SNIPPET_LENGTH].strip()
    prefix = "…" if start else ""
    suffix = "…" if start + SNIPPET_LENGTH < len(text) else ""
    return f"{prefix}{snippet}{suffix}"


def article_card(article: Article, *, query: str, policy: Policy) -> ArticleCard:
    """Describe an article for a result list (its category must be loaded with it)."""
    text = plain_text(article_html(article.body_markdown, policy, article.language))
    return ArticleCard(
        slug=article.slug,
        title=article.title,
        category=article.category.slug,
        language=article.language,
        url=article_url(article),
        snippet=article_snippet(text=text, query=query, language=article.language),
    )
