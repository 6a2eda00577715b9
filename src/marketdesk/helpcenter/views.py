"""Help-center pages: public, in the reader's language, with live search and "was this helpful?"."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.views.decorators.http import require_GET, require_POST

from marketdesk.core.policies import policy_current
from marketdesk.helpcenter import selectors
from marketdesk.helpcenter.models import Article, ArticleLanguage, HelpCategory
from marketdesk.helpcenter.presenters import article_card, article_url
from marketdesk.helpcenter.rendering import article_html
from marketdesk.helpcenter.services import VOTED_SESSION_KEY, article_vote

MAX_QUERY_LENGTH = 200
RESULTS_LIMIT = 20


def _language() -> str:
    language = (get_language() or "en")[:2]
    return language if language in ArticleLanguage.values else ArticleLanguage.EN


def _results_context(request: HttpRequest) -> dict[str, object]:
    query = request.GET.get("q", "")[:MAX_QUERY_LENGTH].strip()
    language = _language()
    results = []
    if query:
        policy = policy_current()
        found = selectors.articles_search(query=query, language=language, limit=RESULTS_LIMIT)
        results = [article_card(a, query=query, policy=policy) for a in found]
    return {"query": query, "results": results}


@require_GET
def help_home(request: HttpRequest) -> HttpResponse:
    """Show the categories and the search box (with results when a query was sent)."""
    context = {
        "categories": selectors.categories_with_counts(language=_language()),
        **_results_context(request),
    }
    return render(request, "helpcenter/help_home.html", context)


@require_GET
def help_search(request: HttpRequest) -> HttpResponse:
    """Return the live search results (the partial htmx swaps in under the search box).

    Opened directly (a bookmarked or shared link) it is the help center's page with the same results,
    not an unstyled fragment.
    """
    if not request.headers.get("HX-Request"):
        home = reverse("helpcenter:home")
        return redirect(f"{home}?{request.GET.urlencode()}" if request.GET else home)
    return render(request, "helpcenter/_results.html", _results_context(request))


@require_GET
def category_detail(request: HttpRequest, slug: str) -> HttpResponse:
    """List a category's articles in the reader's language."""
    category = get_object_or_404(HelpCategory, slug=slug)
    articles = selectors.articles_in_category(category=category, language=_language())
    return render(request, "helpcenter/category_detail.html", {"category": category, "articles": articles})


def _article(slug: str) -> Article:
    try:
        return selectors.article_get(slug=slug, language=_language())
    except Article.DoesNotExist:
        raise Http404 from None


@require_GET
def article_detail(request: HttpRequest, slug: str) -> HttpResponse:
    """Show an article with today's policy numbers, its translations and the helpfulness question."""
    article = _article(slug)
    context = {
        "article": article,
        "body_html": article_html(article.body_markdown, policy_current(), article.language),
        "translations": selectors.article_translations(article=article),
        "voted": article.pk in request.session.get(VOTED_SESSION_KEY, []),
        "related": selectors.articles_in_category(category=article.category, language=article.language).exclude(
            pk=article.pk
        )[:5],
    }
    return render(request, "helpcenter/article_detail.html", context)


@require_POST
def article_helpful(request: HttpRequest, slug: str) -> HttpResponse:
    """Count a "was this helpful?" answer once per session and thank the reader."""
    article = _article(slug)
    answer = request.POST.get("helpful", "")
    if answer not in ("yes", "no"):
        return HttpResponse(status=400)
    article_vote(article=article, helpful=answer == "yes", session=request.session)
    if not request.headers.get("HX-Request"):
        return redirect(article_url(article))
    return render(request, "helpcenter/_helpful.html", {"article": article, "voted": True})
