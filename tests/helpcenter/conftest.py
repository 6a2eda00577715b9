"""Fixtures of the help center: articles written through the same path as the admin (indexed)."""

from __future__ import annotations

import uuid
from collections.abc import Callable

import pytest

from marketdesk.helpcenter.models import Article, HelpCategory
from marketdesk.helpcenter.services import article_index_refresh

ArticleMaker = Callable[..., Article]


@pytest.fixture
def make_article(db) -> ArticleMaker:
    """Create an article (in the seeded category ``other`` unless told) and index it."""
    counter = iter(range(1, 10_000))

    def make(
        *,
        title: str,
        body: str = "Some text.",
        language: str = "en",
        category: str = "other",
        slug: str | None = None,
        published: bool = True,
        translation_group: uuid.UUID | None = None,
    ) -> Article:
        article = Article.objects.create(
            category=HelpCategory.objects.get(slug=category),
            slug=slug or f"test-article-{next(counter)}",
            language=language,
            title=title,
            body_markdown=body,
            published=published,
            translation_group=translation_group or uuid.uuid4(),
        )
        article_index_refresh(article_ids=[article.pk])
        return article

    return make
