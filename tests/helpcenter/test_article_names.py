"""Help articles name only what the buyer will find: Get help's reasons, buttons and pages, in the article's language.

An article that says "press **Get help** → *Delivery* → *Parcel lost*" sends the buyer looking for an
option that does not exist. The names are checked against what the product really shows: Get help's
reasons and sub-reasons as the page lists them, and every string of the interface's catalogues, each
in the article's language (Russian articles quote options «so», English ones *so*).
"""

from __future__ import annotations

import re
from pathlib import Path
from types import SimpleNamespace

import polib
import pytest
from django.apps import apps
from django.db import connection
from django.utils import translation
from django.utils.translation import gettext

import marketdesk
from marketdesk.cases.help_paths import REASON_GROUPS
from marketdesk.helpcenter.content import seed_articles
from marketdesk.helpcenter.content.loader import seed_refresh
from marketdesk.helpcenter.models import Article

pytestmark = pytest.mark.django_db

SRC = Path(marketdesk.__file__).parent
QUOTES = {"en": (r"\*", r"\*"), "ru": ("«", "»")}
# The verbs that send a buyer to a control: what follows them in bold must be on a page.
PRESS = {"en": r"(?:[Pp]ress|[Cc]hoose|[Cc]lick|[Oo]pen)", "ru": r"(?:[Нн]ажмите|[Вв]ыберите|[Оо]ткройте)"}
CHOOSE = {"en": r"[Cc]hoose", "ru": r"[Вв]ыберите"}


def _flat(text: str) -> str:
    return " ".join(text.split())


def _reasons(language: str) -> dict[str, set[str]]:
    """Get help's reasons as the page lists them, each with its sub-reasons (lower case)."""
    with translation.override(language):
        return {
            str(group.reason.label).lower(): {str(sub.label).lower() for sub in group.sub_reasons}
            for group in REASON_GROUPS
        }


def _interface(language: str) -> set[str]:
    """Every string of the interface in this language (the catalogues' English or Russian side)."""
    names: set[str] = set()
    for path in SRC.rglob("locale/ru/LC_MESSAGES/django.po"):
        for entry in polib.pofile(str(path)):
            names.add(_flat(entry.msgid if language == "en" else entry.msgstr).lower())
    return names


def _articles(language: str) -> list[tuple[str, str]]:
    return [(seed.slug, _flat(seed.body)) for seed in seed_articles() if seed.language == language]


def _get_help_paths(language: str) -> list[tuple[str, list[str]]]:
    opening, closing = QUOTES[language]
    with translation.override(language):
        get_help = re.escape(gettext("Get help"))
    name = rf"{opening}([^{closing[-1]}]+){closing}"
    step = rf"\s*→\s*{name}"
    found = []
    for slug, body in _articles(language):
        # "**Get help** → *Reason* → *Sub-reason*", or "choose *Reason* → *Sub-reason*" once on the page
        for match in re.finditer(rf"\*\*{get_help}\*\*((?:{step})+)|{CHOOSE[language]} ({name}(?:{step})*)", body):
            chain = match.group(1) or match.group(3)
            found.append((slug, [part.lower() for part in re.findall(rf"(?:^|→\s*){name}", chain.strip())]))
    return found


@pytest.mark.parametrize("language", ["en", "ru"])
def test_every_get_help_path_an_article_names_exists_in_its_language(language):
    reasons = _reasons(language)
    paths = _get_help_paths(language)

    wrong = [
        (slug, path)
        for slug, path in paths
        if path[0] not in reasons or (len(path) > 1 and path[1] not in reasons[path[0]]) or len(path) > 2
    ]

    assert len(paths) >= 5  # the check reads the articles it means to
    assert wrong == []


@pytest.mark.parametrize("language", ["en", "ru"])
def test_every_button_or_page_an_article_tells_the_buyer_to_press_exists_in_its_language(language):
    interface = _interface(language)
    named = [
        (slug, name)
        for slug, body in _articles(language)
        for name in re.findall(rf"{PRESS[language]} \*\*([^*]+)\*\*", body)
    ]

    missing = [(slug, name) for slug, name in named if name.lower() not in interface]

    assert len(named) >= 10
    assert missing == []


@pytest.mark.parametrize(
    ("language", "invented"),
    [("en", "*Parcel lost*"), ("en", "*Cancel order*"), ("ru", "«Посылка потерялась»"), ("ru", "«Отменить заказ»")],
)
def test_options_that_do_not_exist_are_named_by_no_article(language, invented):
    # an article's title may say "parcel lost"; an option quoted as one must exist
    assert all(invented not in body for _slug, body in _articles(language))


@pytest.mark.parametrize(("language", "attach"), [("en", "Attach photos or video"), ("ru", "Приложить фото или видео")])
def test_the_article_on_damaged_items_names_the_get_help_file_button_that_exists(language, attach):
    with translation.override(language):
        button = gettext("Attach photos or video")
    damaged = dict(_articles(language))["damaged-item" if language == "en" else "tovar-prishel-povrezhdennym"]

    assert button == attach
    assert f"**{button}**" in damaged


def test_a_seeded_article_still_naming_a_retracted_option_is_rewritten_and_an_edited_one_is_kept():
    lost = Article.objects.get(language="en", slug="lost-parcel")
    lost.body_markdown = "1. Press **Get help** on the order and choose *Delivery* → *Parcel lost*."
    lost.save(update_fields=["body_markdown"])
    edited = Article.objects.get(language="ru", slug="otmenit-zakaz")
    edited.body_markdown = "Напишите продавцу."
    edited.save(update_fields=["body_markdown"])

    seed_refresh(apps, SimpleNamespace(connection=connection), retracted=("*Parcel lost*", "«Отменить заказ»"))

    lost.refresh_from_db()
    edited.refresh_from_db()
    assert "*The parcel is late or stuck*" in lost.body_markdown
    assert edited.body_markdown == "Напишите продавцу."
