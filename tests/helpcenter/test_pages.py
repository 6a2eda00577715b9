"""Help-center pages: public, in the reader's language, with translations, live search and feedback."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from marketdesk.core.actors import Actor
from marketdesk.core.policies import policy_publish
from marketdesk.helpcenter.models import Article

pytestmark = pytest.mark.django_db

PAGES = ["/help/", "/help/?q=refund", "/help/delivery/", "/help/a/damaged-item/"]


@pytest.fixture
def buyer_client(buyer) -> Client:
    client = Client()
    client.force_login(buyer)
    return client


@pytest.mark.parametrize("url", PAGES)
def test_anonymous_visitors_read_the_help_center(client, url):
    assert client.get(url).status_code == 200


@pytest.mark.parametrize("url", PAGES)
def test_buyers_read_the_help_center(buyer_client, url):
    assert buyer_client.get(url).status_code == 200


def test_live_search_answers_htmx_with_the_results_fragment(client):
    response = client.get("/help/search/?q=refund", headers={"HX-Request": "true"})

    assert response.status_code == 200
    assert "<html" not in response.content.decode()


def test_search_opened_directly_is_the_help_center_page_not_an_unstyled_fragment(client):
    # when someone opens the live-search address itself (a shared link)
    response = client.get("/help/search/?q=refund", follow=True)

    # then they land on the help center's page, with its layout and the same results
    assert response.redirect_chain == [("/help/?q=refund", 302)]
    assert response.status_code == 200
    assert "/static/web/css/app.css" in response.content.decode()


@pytest.mark.parametrize("url", ["/help/a/no-such-article/", "/help/no-such-category/"])
def test_unknown_articles_and_categories_are_404(client, url):
    assert client.get(url).status_code == 404


def test_unpublished_articles_are_404(client, make_article):
    article = make_article(title="Draft", published=False)

    assert client.get(f"/help/a/{article.slug}/").status_code == 404


def test_the_home_page_lists_categories_in_the_active_language(client):
    english = client.get("/help/").content.decode()
    russian = client.get("/help/", HTTP_ACCEPT_LANGUAGE="ru").content.decode()

    assert "Delivery" in english
    assert "Доставка" in russian


def test_every_layout_page_links_to_the_help_center(client):
    page = client.get("/sign-in/").content.decode()

    assert 'href="/help/"' in page


def test_the_search_box_asks_for_live_results_debounced(client):
    page = client.get("/help/").content.decode()

    assert 'hx-get="/help/search/"' in page
    assert 'hx-trigger="keyup changed delay:300ms, search"' in page


def test_search_results_link_to_articles_with_a_snippet(client):
    page = client.get("/help/search/?q=refunds", headers={"HX-Request": "true"}).content.decode()

    assert 'href="/help/a/when-will-i-get-my-refund/"' in page
    assert "help-list__snippet" in page
    assert "<html" not in page


def test_russian_search_runs_in_russian(client):
    page = client.get(
        "/help/search/?q=возвращу", HTTP_ACCEPT_LANGUAGE="ru", headers={"HX-Request": "true"}
    ).content.decode()

    assert 'href="/help/a/vozvrat-tovara/"' in page


def test_a_search_with_no_results_says_so(client):
    page = client.get("/help/search/?q=xylophone", headers={"HX-Request": "true"}).content.decode()

    assert "Nothing found" in page


def test_an_english_article_links_to_its_russian_translation(client):
    page = client.get("/help/a/return-an-item/").content.decode()

    assert '<a href="/help/a/vozvrat-tovara/" lang="ru" hreflang="ru">Читать на русском</a>' in page


def test_a_russian_article_links_to_its_english_translation(client):
    page = client.get("/help/a/vozvrat-tovara/", HTTP_ACCEPT_LANGUAGE="ru").content.decode()

    assert '<a href="/help/a/return-an-item/" lang="en" hreflang="en">Read in English</a>' in page


def test_an_article_shows_the_numbers_of_the_policy_in_force(client):
    policy_publish(actor=Actor.system(), changes={"return_window_days": 45})

    page = client.get("/help/a/return-an-item/").content.decode()

    assert "45&nbsp;days after delivery" in page
    assert "30&nbsp;days after delivery" not in page


def test_a_russian_article_uses_russian_plurals(client):
    page = client.get("/help/a/vozvrat-tovara/", HTTP_ACCEPT_LANGUAGE="ru").content.decode()

    assert "за 30&nbsp;дней после доставки" in page
    assert "3&nbsp;рабочих дня" in page


def test_helpful_is_counted_once_per_session(client):
    for _ in range(3):
        response = client.post("/help/a/damaged-item/helpful/", {"helpful": "yes"}, HTTP_HX_REQUEST="true")
        assert response.status_code == 200

    article = Article.objects.get(slug="damaged-item")
    assert (article.helpful_yes, article.helpful_no) == (1, 0)
    assert "Thank you" in response.content.decode()


def test_another_session_counts_again_and_no_is_counted_apart(client):
    client.post("/help/a/damaged-item/helpful/", {"helpful": "yes"}, HTTP_HX_REQUEST="true")
    Client().post("/help/a/damaged-item/helpful/", {"helpful": "no"}, HTTP_HX_REQUEST="true")

    article = Article.objects.get(slug="damaged-item")
    assert (article.helpful_yes, article.helpful_no) == (1, 1)


def test_after_voting_the_article_thanks_instead_of_asking(client):
    client.post("/help/a/damaged-item/helpful/", {"helpful": "no"})

    page = client.get("/help/a/damaged-item/").content.decode()

    assert "Thank you for your feedback." in page
    assert 'name="helpful"' not in page


def test_helpful_without_htmx_goes_back_to_the_article(client):
    response = client.post("/help/a/damaged-item/helpful/", {"helpful": "yes"})

    assert response.status_code == 302
    assert response["Location"] == "/help/a/damaged-item/"


def test_helpful_with_a_bad_answer_is_400_and_counts_nothing(client):
    response = client.post("/help/a/damaged-item/helpful/", {"helpful": "maybe"})

    assert response.status_code == 400
    assert Article.objects.get(slug="damaged-item").helpful_yes == 0


def test_helpful_refuses_get(client):
    assert client.get("/help/a/damaged-item/helpful/").status_code == 405


def test_helpful_checks_csrf():
    client = Client(enforce_csrf_checks=True)

    assert client.post("/help/a/damaged-item/helpful/", {"helpful": "yes"}).status_code == 403


def _queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_the_search_page_query_count_does_not_grow_with_results(client, make_article):
    make_article(title="Quokka guide 0", body="quokka")
    one = _queries(client, "/help/?q=quokka")
    for n in range(1, 15):
        make_article(title=f"Quokka guide {n}", body="quokka")

    assert _queries(client, "/help/?q=quokka") == one
