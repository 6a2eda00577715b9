"""Time help-center search with 1,000 articles per language: p50/p95 ms of the selector and the page.

Runs against the database in DATABASE_URL (after ``migrate``, which seeds the real articles). It
adds synthetic articles built from the real ones' sentences, shuffled, so the vocabulary and the
stems are those of real help text, then searches with whole words, other word forms, typos
(the fallback path) and multi-word questions in both languages.
The page is timed as the live search asks for it under the search box (an htmx request, ``HX-Request``);
opened directly, ``/help/search/`` redirects to the help center.
"""

from __future__ import annotations

import argparse
import random
import time
import uuid

from _common import django_setup, emit, percentile

QUERIES = {
    "en": ["refunds", "refnd", "return an item", "parcel lost", "change delivery address", "seller not responding",
           "appeal", "damaged", "payment declined twice", "how long does a refund take"],
    "ru": ["возвраты", "возвращу", "посылка потерялась", "продовец не отвечает", "изменить адрес доставки",
           "деньги не пришли", "обжаловать решение", "разбитая посылка", "оплата", "когда вернут деньги"],
}  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--articles", type=int, default=1000, help="Articles per language (default 1,000).")
    parser.add_argument("--rounds", type=int, default=20, help="Times each query runs (default 20).")
    args = parser.parse_args()
    django_setup()

    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from marketdesk.helpcenter.models import Article, HelpCategory
    from marketdesk.helpcenter.selectors import articles_search
    from marketdesk.helpcenter.services import article_index_refresh

    rng = random.Random(7)
    categories = list(HelpCategory.objects.all())
    created_ids: list[int] = []
    started = time.perf_counter()
    for language in ("en", "ru"):
        real = list(Article.objects.filter(language=language))
        sentences = [s.strip() for a in real for s in a.body_markdown.replace("\n", " ").split(". ") if s.strip()]
        titles = [a.title for a in real]
        have = Article.objects.filter(language=language).count()
        batch = [
            Article(
                category=rng.choice(categories),
                slug=f"bench-{language}-{n}",
                language=language,
                title=f"{rng.choice(titles)} ({n})",
                body_markdown=". ".join(rng.sample(sentences, k=min(12, len(sentences)))) + ".",
                translation_group=uuid.uuid4(),
            )
            for n in range(max(0, args.articles - have))
        ]
        created_ids += [a.pk for a in Article.objects.bulk_create(batch, batch_size=500)]
    article_index_refresh(article_ids=created_ids)
    load_seconds = time.perf_counter() - started

    client = Client()
    selector_ms: list[float] = []
    page_ms: list[float] = []
    queries_per_page: set[int] = set()
    found: list[int] = []
    for language, queries in QUERIES.items():
        for query in queries:
            articles_search(query=query, language=language, limit=20)  # warm-up
            for _ in range(args.rounds):
                t0 = time.perf_counter()
                result = articles_search(query=query, language=language, limit=20)
                selector_ms.append((time.perf_counter() - t0) * 1000)
            found.append(len(result))
            for _ in range(max(1, args.rounds // 4)):
                with CaptureQueriesContext(connection) as ctx:
                    t0 = time.perf_counter()
                    response = client.get(
                        "/help/search/", {"q": query}, HTTP_ACCEPT_LANGUAGE=language, HTTP_HX_REQUEST="true"
                    )
                    page_ms.append((time.perf_counter() - t0) * 1000)
                if response.status_code != 200:
                    raise SystemExit(f"/help/search/ answered {response.status_code}")
                queries_per_page.add(len(ctx.captured_queries))

    emit(
        {
            "articles_per_language": {
                lang: Article.objects.filter(language=lang, published=True).count() for lang in ("en", "ru")
            },
            "load_seconds": load_seconds,
            "queries": sum(len(q) for q in QUERIES.values()),
            "queries_with_results": sum(1 for n in found if n),
            "search": {"p50_ms": percentile(selector_ms, 50), "p95_ms": percentile(selector_ms, 95)},
            "page": {
                "p50_ms": percentile(page_ms, 50),
                "p95_ms": percentile(page_ms, 95),
                "db_queries": sorted(queries_per_page),
            },
        }
    )


if __name__ == "__main__":
    main()
