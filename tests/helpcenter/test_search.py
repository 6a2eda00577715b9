"""Search finds articles by stems in English and Russian, tolerates typos, and costs a fixed number of queries.

These run against the seeded articles on whichever database the suite uses (SQLite FTS5 or
PostgreSQL full text), so both code paths meet the same acceptance.
"""

from __future__ import annotations

import pytest

from marketdesk.helpcenter.selectors import articles_search

pytestmark = pytest.mark.django_db


def _slugs(query: str, language: str, limit: int = 10) -> list[str]:
    return [a.slug for a in articles_search(query=query, language=language, limit=limit)]


@pytest.mark.parametrize("query", ["возвраты", "возвращу", "возврат", "Возврат товара"])
def test_russian_forms_find_the_return_article(query):
    assert "vozvrat-tovara" in _slugs(query, "ru")


@pytest.mark.parametrize("query", ["refunds", "refund", "refunded", "Refunding"])
def test_english_forms_find_refund_articles(query):
    assert "when-will-i-get-my-refund" in _slugs(query, "en")


def test_a_typo_finds_refund_articles_through_the_title_vocabulary():
    assert "when-will-i-get-my-refund" in _slugs("refnd", "en")


def test_a_russian_typo_is_corrected_too():
    assert "prodavec-ne-otvechaet" in _slugs("продовец", "ru")


def test_a_word_being_typed_matches_as_a_prefix():
    assert "change-delivery-address" in _slugs("change addr", "en")


def test_all_words_matching_rank_before_any_word():
    assert _slugs("change delivery address", "en")[0] == "change-delivery-address"


def test_when_no_article_has_every_word_any_word_is_enough():
    assert "tovar-prishel-povrezhdennym" in _slugs("посылка пришла разбитая вдребезги", "ru")


def test_search_stays_within_the_language():
    assert _slugs("refund", "ru") == []
    assert _slugs("возврат", "en") == []


@pytest.mark.parametrize(
    "query", ["", "   ", "the a of", "🙂🙂", "' OR 1=1 --", '"*) NEAR(', "refund:* & !", "x" * 500]
)
def test_odd_queries_answer_without_error(query):
    assert isinstance(_slugs(query, "en"), list)


def test_an_unknown_language_finds_nothing():
    assert _slugs("refund", "de") == []


def test_unpublished_articles_are_not_found(make_article):
    make_article(title="Zebra crossing guide", body="zebra", published=False)

    assert _slugs("zebra", "en") == []


def test_a_new_article_is_found_once_indexed(make_article):
    article = make_article(title="Zebra crossing guide", body="About zebras.")

    assert _slugs("zebras", "en") == [article.slug]


def test_the_limit_is_respected():
    assert len(_slugs("seller", "en", limit=3)) == 3


@pytest.mark.parametrize("count", [1, 15])
def test_search_query_count_does_not_grow_with_results(make_article, django_assert_num_queries, count):
    for n in range(count):
        make_article(title=f"Quokka guide {n}", body="quokka facts")

    with django_assert_num_queries(2):
        found = articles_search(query="quokka", language="en", limit=50)

    assert len(found) == count


@pytest.mark.parametrize(("query", "language", "word"), [("возвраты", "ru", "возврат"), ("refunds", "en", "refund")])
def test_articles_with_the_word_in_their_title_rank_first(query, language, word):
    found = articles_search(query=query, language=language, limit=10)
    in_title = [word in a.title.lower() for a in found]

    assert in_title == sorted(in_title, reverse=True)
    assert in_title[0]
