"""Get help's articles: found by the buyer's words, those of the likely reason's category first."""

from __future__ import annotations

import pytest

from marketdesk.helpcenter.models import HelpCategory
from marketdesk.helpcenter.selectors import articles_for_reason

pytestmark = pytest.mark.django_db


def _two_categories() -> tuple[str, str]:
    first, second = HelpCategory.objects.order_by("slug").values_list("slug", flat=True)[:2]
    return first, second


def test_an_article_of_the_reason_leads_the_words_hits(make_article):
    reason, other = _two_categories()
    elsewhere = make_article(title="Zorblat troubles", category=other)
    of_reason = make_article(title="Zorblat guide", category=reason)

    found = articles_for_reason(query="zorblat", reason=reason, language="en")

    assert [a.pk for a in found][:2] == [of_reason.pk, elsewhere.pk]


def test_with_no_hit_of_the_reason_its_top_article_comes_first(make_article):
    reason, other = _two_categories()
    elsewhere = make_article(title="Quibbleton steps", category=other)
    top_of_reason = articles_for_reason(query="", reason=reason, language="en", limit=1)

    found = articles_for_reason(query="quibbleton", reason=reason, language="en")

    assert (len(top_of_reason), [a.pk for a in found]) == (1, [top_of_reason[0].pk, elsewhere.pk])


def test_no_more_than_the_limit(make_article):
    reason, _other = _two_categories()
    for n in range(5):
        make_article(title=f"Wobblefrak part {n}", category=reason)

    assert len(articles_for_reason(query="wobblefrak", reason=reason, language="en", limit=3)) == 3
