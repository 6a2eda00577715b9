"""The article admin previews the sanitized body and keeps the search index current."""

from __future__ import annotations

import pytest
from django.test import Client

from marketdesk.helpcenter.models import HelpCategory
from marketdesk.helpcenter.selectors import articles_search

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(admin_user) -> Client:
    client = Client()
    client.force_login(admin_user)
    return client


def test_the_change_page_previews_the_rendered_sanitized_body(admin_client, make_article):
    article = make_article(
        title="Preview me", body="**Bold** within {policy:return_window_days|days} <script>alert(1)</script>"
    )

    page = admin_client.get(f"/admin/helpcenter/article/{article.pk}/change/").content.decode()

    assert "<strong>Bold</strong> within 30&nbsp;days &lt;script&gt;" in page
    assert "<script>alert(1)</script>" not in page


def test_the_list_filters_by_language_and_category(admin_client):
    response = admin_client.get("/admin/helpcenter/article/", {"language": "ru", "category__id__exact": 1})

    assert response.status_code == 200


def test_saving_in_the_admin_updates_the_search_index(admin_client):
    data = {
        "category": HelpCategory.objects.get(slug="item").pk,
        "language": "en",
        "title": "Platypus care",
        "slug": "platypus-care",
        "translation_group": "6f1d7c1e-3b0a-4c55-9a3e-0d6c2b9e4a99",
        "position": 0,
        "published": "on",
        "body_markdown": "Platypus facts.",
    }

    response = admin_client.post("/admin/helpcenter/article/add/", data)

    assert response.status_code == 302
    assert [a.slug for a in articles_search(query="platypus", language="en")] == ["platypus-care"]


def test_deleting_in_the_admin_removes_it_from_search(admin_client, make_article):
    article = make_article(title="Wombat care", body="wombat")

    admin_client.post(f"/admin/helpcenter/article/{article.pk}/delete/", {"post": "yes"})

    assert articles_search(query="wombat", language="en") == []
