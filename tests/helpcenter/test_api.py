"""GET /api/v1/help/articles: public search of help articles; a bad language is a 422 problem."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db

URL = "/api/v1/help/articles"


def test_search_answers_a_list_of_articles_with_url_and_snippet(client):
    response = client.get(URL, {"q": "refunds", "lang": "en"})

    assert response.status_code == 200
    first = response.json()[0]
    assert first == {
        "slug": "when-will-i-get-my-refund",
        "title": "When will I get my refund?",
        "category": "refund",
        "language": "en",
        "url": "/help/a/when-will-i-get-my-refund/",
        "snippet": first["snippet"],
    }
    assert "refund" in first["snippet"].lower()


def test_russian_search_by_another_word_form(client):
    response = client.get(URL, {"q": "возвращу", "lang": "ru"})

    assert response.status_code == 200
    assert "vozvrat-tovara" in [item["slug"] for item in response.json()]
    assert {item["language"] for item in response.json()} == {"ru"}


def test_nothing_found_is_an_empty_list(client):
    response = client.get(URL, {"q": "xylophone", "lang": "en"})

    assert response.status_code == 200
    assert response.json() == []


def test_the_limit_caps_the_list(client):
    response = client.get(URL, {"q": "seller", "lang": "en", "limit": 2})

    assert len(response.json()) == 2


@pytest.mark.parametrize(
    ("params", "field"),
    [({"q": "refund", "lang": "de"}, "lang"), ({"lang": "en"}, "q"), ({"q": "refund", "limit": 0}, "limit")],
)
def test_bad_parameters_are_a_422_problem(client, params, field):
    response = client.get(URL, params)

    assert response.status_code == 422
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert body["code"] == "invalid"
    assert [e["field"] for e in body["errors"]] == [field]
