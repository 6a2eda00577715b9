"""A crawler that opens what each role can reach, in both languages, and reads it as a person would.

The data is the demo's own (``simulate --seed 1 --orders 40 --demo-accounts``), seeded once for the
module and rolled back afterwards. From each role's home page the crawler follows same-site GET links
(one page per URL shape, so forty cases cost one visit) and fails on a server error, a
debug page, a raw code or Python repr in the visible text, and, in Russian, a catalogue string left
in English.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from django.core.management import call_command
from django.db import transaction
from django.test import Client

import marketdesk
from marketdesk.accounts.models import User
from tests.crawler import crawl

ROLES = ("buyer", "seller", "operator", "admin")
LANGUAGES = ("en", "ru")
MAX_PAGES = 80

# Pages crawled first for a role, so that the limit never leaves them out: the management pages of
# macros, carriers and quick replies (each page's links lead on to an edit, a translation, a carrier).
FIRST = {
    "seller": ("/seller/quick-replies/",),
    "operator": ("/console/macros/", "/console/macros/new/"),
    "admin": ("/manage/carriers/", "/console/macros/", "/console/macros/new/"),
}

RAW_REPR = re.compile(r"\{'|\[<|<QuerySet|object at 0x|(?:^|: |\()(?:None|True|False)(?:$|\)|,)")
# A status or method code is words joined by underscores, e.g. awaiting_seller (or "Apple_pay" once capitalised).
SNAKE_CODE = re.compile(r"(?<!\{)\b[A-Za-z][a-z]*(?:_[a-z]+)+\b")
VOID = {"area", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"}
# A page title is text only: a stray tag in it shows up in the browser's tab.
TITLE = re.compile(r"<title>[^<]*</title>")
# Slips a reader of Russian saw: a word said twice ("Магазин Магазин «Полянка»"), a sentence ending in an
# abbreviation's period and its own ("2026 г.."), and «» inside «» (the inner pair is „“).
REPEATED_WORD = re.compile(r"\b(\w{3,})\s+\1\b", re.IGNORECASE)
DOUBLE_PERIOD = re.compile(r"(?<![.])\.\.(?![.])")
NESTED_QUOTES = re.compile(r"«[^»]*«")
DEBUG_PAGE = re.compile(r"Traceback|Using the URLconf|You're seeing this error because you have <code>DEBUG")


class _Page(HTMLParser):
    """The visible text nodes of one HTML page."""

    def __init__(self, language: str) -> None:
        super().__init__()
        self.language = language
        self.texts: list[str] = []
        self._hidden = 0
        # Text in an element marked with another language (an article read in English) is not a slip.
        self._foreign: list[str] = []
        self._foreign_depth = 0
        self.foreign: set[str] = set()
        # What a person wrote, quoted as they wrote it (marked translate="no"), may hold what looks like code.
        self._verbatim: list[str] = []
        self.verbatim: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in {"script", "style", "template", "code", "pre", "textarea"}:
            self._hidden += 1
        lang = dict(attrs).get("lang")
        # A name that is no word of any language (a username) is marked translate="no".
        verbatim = dict(attrs).get("translate") == "no"
        if verbatim and tag not in VOID:
            self._verbatim.append(tag)
        if self._foreign and tag == self._foreign[-1]:
            self._foreign_depth += 1
        elif ((lang and lang != self.language) or verbatim) and tag != "html" and tag not in VOID:
            self._foreign.append(tag)
            self._foreign_depth = 1

    def handle_endtag(self, tag: str) -> None:
        if self._verbatim and tag == self._verbatim[-1]:
            self._verbatim.pop()
        if tag in {"script", "style", "template", "code", "pre", "textarea"} and self._hidden:
            self._hidden -= 1
        if self._foreign and tag == self._foreign[-1]:
            self._foreign_depth -= 1
            if not self._foreign_depth:
                self._foreign.pop()

    def handle_data(self, data: str) -> None:
        text = " ".join(data.split())
        if text and not self._hidden:
            self.texts.append(text)
            if self._foreign:
                self.foreign.add(text)
            if self._verbatim:
                self.verbatim.add(text)


def _english_msgids() -> frozenset[str]:
    """Every English catalogue string that has a Russian translation different from itself."""
    root = Path(marketdesk.__file__).parent
    found: set[str] = set()
    for po in root.glob("**/locale/ru/LC_MESSAGES/django.po"):
        with po.open("rb") as handle:
            catalogue = read_po(handle)
        for message in catalogue:
            msgid = message.id if isinstance(message.id, str) else message.id[0]
            msgstr = message.string if isinstance(message.string, str) else message.string[0]
            # Short words (OK, ID, SKU) and strings with placeholders cannot be matched on a page.
            if msgid and msgstr and msgstr != msgid and len(msgid) > 3 and "%" not in msgid and "{" not in msgid:
                found.add(" ".join(msgid.split()))
    return frozenset(found)


ENGLISH = _english_msgids()


@pytest.fixture(scope="module")
def demo_data(django_db_setup, django_db_blocker) -> Iterator[None]:
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("simulate", "--seed", "1", "--orders", "40", "--demo-accounts", "--quiet")
        yield
        transaction.set_rollback(True)


def _signed_in(username: str, language: str) -> Client:
    user = User.objects.get(username=username)
    user.language = language
    user.save(update_fields=["language"])
    client = Client(raise_request_exception=False)
    client.force_login(user)
    return client


def _faults(path: str, status: int, html: str, language: str) -> list[str]:
    """What a reader would object to on one page."""
    faults = []
    if status >= 500:
        faults.append(f"{path}: answered {status}")
    if not TITLE.search(html):
        faults.append(f"{path}: markup in the page title")
    if DEBUG_PAGE.search(html):
        faults.append(f"{path}: a debug page")
    page = _Page(language)
    page.feed(html)
    for text in page.texts:
        if text not in page.verbatim and (RAW_REPR.search(text) or SNAKE_CODE.search(text)):
            faults.append(f"{path}: raw code in {text[:120]!r}")
        if REPEATED_WORD.search(text) or DOUBLE_PERIOD.search(text) or NESTED_QUOTES.search(text):
            faults.append(f"{path}: a slip in {text[:120]!r}")
        if (
            language == "ru"
            and text not in page.foreign
            and text.rstrip(".:") in ENGLISH | {t.rstrip(".:") for t in ENGLISH}
        ):
            faults.append(f"{path}: untranslated {text[:120]!r}")
    return faults


def _crawl(client: Client, language: str, first: tuple[str, ...] = ()) -> tuple[list[str], int]:
    faults: list[str] = []
    visited = 0
    for path, response in crawl(client, max_pages=MAX_PAGES, first=first):
        visited += 1
        if "text/html" in response.get("Content-Type", ""):
            faults.extend(_faults(path, response.status_code, response.content.decode(), language))
    return faults, visited


@pytest.mark.django_db
@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("username", ROLES)
def test_every_page_a_role_reaches_reads_as_words_in_its_language(demo_data, username, language):
    # given the demo's data and a person of this role reading in this language
    client = _signed_in(username, language)

    # when they open every page their navigation and its pages lead to
    faults, visited = _crawl(client, language, FIRST.get(username, ()))

    # then they walked a real site and nothing on it is broken, raw or in the wrong language
    assert visited > 5
    assert faults == []
