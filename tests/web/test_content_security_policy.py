"""The Content-Security-Policy header on every page, and the API docs served from our own origin."""

from __future__ import annotations

import re

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def directives(header: str) -> dict[str, list[str]]:
    return {part.split()[0]: part.split()[1:] for part in header.split("; ")}


def test_a_page_allows_scripts_and_styles_from_its_own_origin_only():
    # No page has an inline script: Django adds a nonce to script-src only when a template uses it.
    response = Client().get("/sign-in/")

    policy = directives(response.headers["Content-Security-Policy"])
    assert (policy["script-src"], policy["style-src"]) == (["'self'"], ["'self'"])
    assert (policy["object-src"], policy["base-uri"], policy["frame-ancestors"]) == (["'none'"], ["'none'"], ["'none'"])


def test_the_api_docs_load_swagger_ui_from_our_static_files_not_a_cdn():
    response = Client().get("/api/v1/docs")

    html = response.content.decode()
    scripts = re.findall(r'<script[^>]* src="([^"]+)"', html)
    assert response.status_code == 200
    assert scripts == ["/static/ninja/swagger-ui-bundle.js", "/static/ninja/swagger-ui-init.js"]
    assert "cdn" not in html
