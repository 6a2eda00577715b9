"""Walk what a signed-in person can reach: same-site GET links from the home page, one page per URL shape.

Shared by the reading crawl (``tests/web/test_crawl.py``: words, raw codes, translations) and the
Content-Security-Policy check in Chromium (``tests/browser/test_content_security_policy.py``).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator, Sequence
from html.parser import HTMLParser
from urllib.parse import urldefrag, urlsplit

from django.http import HttpResponse
from django.test import Client

# Links a crawler must not follow: they stream, sign out, download files, or belong to other clients.
# Django admin is read by its own crawler (tests/web/test_admin_words.py), as a superuser.
SKIP = re.compile(
    r"^/(?:sign-out|i18n|language|live|api|static|media|admin/)"
    r"|/download|/export|\.csv|\.json|/attachments/\d+/?$|/raw/?$"
)
PAGES_PER_SHAPE = 1


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        href = dict(attrs).get("href") if tag == "a" else None
        if href:
            self.links.append(href)


def links_of(html: str) -> list[str]:
    """Return the href of every link of a page, in order."""
    parser = _Links()
    parser.feed(html)
    return parser.links


def shape(path: str) -> str:
    """The URL's shape: its numbers replaced, so forty cases count as one page."""
    return re.sub(r"\d+", "N", path)


def crawl(
    client: Client, *, max_pages: int, start: str = "/", first: Sequence[str] = ()
) -> Iterator[tuple[str, HttpResponse]]:
    """Open ``start``, then ``first``, then what their links lead to (same site, one per shape); yield each path and its answer."""
    seen_paths: set[str] = set()
    shapes: Counter[str] = Counter()
    queue = [start, *first]
    visited = 0
    while queue and visited < max_pages:
        path = queue.pop(0)
        if path in seen_paths:
            continue
        seen_paths.add(path)
        response = client.get(path, follow=True)
        visited += 1
        yield path, response
        if "text/html" not in response.get("Content-Type", ""):
            continue
        for href in links_of(response.content.decode()):
            link, _fragment = urldefrag(href)
            parts = urlsplit(link)
            if parts.scheme or parts.netloc or not parts.path.startswith("/") or SKIP.search(parts.path):
                continue
            target = parts.path + (f"?{parts.query}" if parts.query else "")
            if target in seen_paths or shapes[shape(parts.path)] >= PAGES_PER_SHAPE:
                continue
            shapes[shape(parts.path)] += 1
            queue.append(target)
