"""The seeded articles: paired across languages, every help reason covered, every placeholder known."""

from __future__ import annotations

import logging

import pytest

from marketdesk.core.policies import policy_current
from marketdesk.helpcenter.models import Article, HelpCategory
from marketdesk.helpcenter.rendering import article_html

pytestmark = pytest.mark.django_db

HELP_REASONS = ["delivery", "item", "seller", "refund", "payment", "other"]


def test_at_least_thirty_articles_in_each_language():
    assert Article.objects.filter(language="en", published=True).count() >= 30
    assert Article.objects.filter(language="ru", published=True).count() >= 30


def test_every_article_has_its_translation():
    groups = Article.objects.values_list("translation_group", "language")
    by_group: dict[object, set[str]] = {}
    for group, language in groups:
        by_group.setdefault(group, set()).add(language)

    assert {frozenset(languages) for languages in by_group.values()} == {frozenset({"en", "ru"})}


@pytest.mark.parametrize("slug", HELP_REASONS)
def test_every_help_reason_has_articles_in_both_languages(slug):
    category = HelpCategory.objects.get(slug=slug)

    assert category.articles.filter(language="en").exists()
    assert category.articles.filter(language="ru").exists()


def test_every_placeholder_in_the_seeded_articles_is_a_known_rule(caplog):
    policy = policy_current()

    with caplog.at_level(logging.WARNING, logger="marketdesk.helpcenter"):
        pages = [article_html(a.body_markdown, policy, a.language) for a in Article.objects.all()]

    assert caplog.records == []
    assert not [page for page in pages if "{policy" in page or "{{" in page]
