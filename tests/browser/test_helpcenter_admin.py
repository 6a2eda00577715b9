"""An administrator writing a help-center article sees its preview change while typing, unsaved."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from marketdesk.helpcenter.models import Article

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_article_preview_follows_the_typing(page, live_server, admin_user):
    admin = admin_user
    page.goto(f"{live_server.url}/admin/login/")
    page.fill("#id_username", admin.username)
    page.fill("#id_password", "demo-pass-123")
    page.click("input[type=submit]")
    page.goto(f"{live_server.url}/admin/helpcenter/article/add/")
    before = Article.objects.count()

    page.fill(
        "#id_body_markdown", "Returns are open for **{policy:return_window_days|days}**. <script>alert(1)</script>"
    )

    preview = page.locator("#article-preview")
    expect(preview.locator("strong")).to_have_text("30\u00a0days")
    expect(preview).to_contain_text("<script>alert(1)</script>")  # shown as text, never run
    assert Article.objects.count() == before
