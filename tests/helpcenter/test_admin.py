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


PREVIEW = "/admin/helpcenter/article/preview/"


def test_the_preview_renders_a_draft_sanitized_with_the_current_policy(admin_client):
    response = admin_client.post(
        PREVIEW, {"body_markdown": "**Draft** {policy:return_window_days|days} <script>x()</script>", "language": "ru"}
    )

    assert response.status_code == 200
    assert response["Content-Type"] == "text/html; charset=utf-8"
    html = response.content.decode()
    assert "<strong>Draft</strong> 30&nbsp;дней" in html
    assert "<script>" not in html


def test_the_preview_saves_nothing_and_answers_only_posts(admin_client):
    before = list(HelpCategory.objects.values_list("pk", flat=True))

    assert admin_client.get(PREVIEW).status_code == 405
    assert admin_client.post(PREVIEW, {"body_markdown": "x", "language": "xx"}).status_code == 200
    assert list(HelpCategory.objects.values_list("pk", flat=True)) == before


def test_the_preview_is_for_staff_who_may_edit_articles(buyer, django_user_model):
    outsider = Client()
    outsider.force_login(buyer)
    staff = django_user_model.objects.create_user(username="viewer", password="x", is_staff=True)
    staff_client = Client()
    staff_client.force_login(staff)

    assert outsider.post(PREVIEW, {"body_markdown": "x"}).status_code == 302  # to the admin's login
    assert staff_client.post(PREVIEW, {"body_markdown": "x"}).status_code == 403


def test_the_change_page_carries_the_live_preview(admin_client, make_article):
    article = make_article(title="Live", body="Body")

    page = admin_client.get(f"/admin/helpcenter/article/{article.pk}/change/").content.decode()

    assert f'data-preview-url="{PREVIEW}"' in page
    assert "helpcenter/admin_preview" in page
