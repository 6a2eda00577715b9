"""REST endpoint of the help center: public search of published articles."""

from __future__ import annotations

from typing import Any, Literal

from django.http import HttpRequest
from ninja import Query, Router, Schema

from marketdesk.api.errors import ProblemOut
from marketdesk.core.policies import policy_current
from marketdesk.helpcenter.presenters import article_card
from marketdesk.helpcenter.selectors import articles_search

router = Router(tags=["help center"])


class HelpArticleOut(Schema):
    slug: str
    title: str
    category: str
    language: str
    url: str
    snippet: str


@router.get(
    "/help/articles",
    response={200: list[HelpArticleOut], 422: ProblemOut},
    auth=None,
    summary="Search help articles",
)
def help_article_search(
    request: HttpRequest,
    q: str = Query(..., min_length=1, max_length=200, description="What the reader is looking for."),
    lang: Literal["en", "ru"] = Query("en", description="The articles' language."),
    limit: int = Query(10, ge=1, le=50),
) -> list[Any]:
    """Find published articles in one language by stemmed words, tolerating typos."""
    policy = policy_current()
    return [article_card(a, query=q, policy=policy) for a in articles_search(query=q, language=lang, limit=limit)]
