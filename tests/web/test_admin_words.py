"""Django admin, as a superuser reading Russian: every model and field name is Russian, and titles decline.

The crawl opens the admin's index, then each model's list, its add form and one object's form, and
reads the names the admin takes from the models (headings, column titles, field labels, the index's
model names). A name with no Cyrillic letter in it is a name left in English.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from html.parser import HTMLParser

import pytest
from django.core.management import call_command
from django.db import transaction
from django.test import Client

from marketdesk.accounts.models import User

CYRILLIC = re.compile(r"[а-яё]", re.IGNORECASE)
# Names the same in both languages: abbreviations and brand-like terms.
SAME_IN_BOTH = {"ID", "API", "URL", "SLA", "IP", "HTTP Accept", "User Agent", "id", "SKU", "HS256"}
# Models of other packages, worded by their own catalogues (not ours to name).
OTHERS = re.compile(r"^/admin/(?:django_tasks_database|axes)/")
ADMIN_LINK = re.compile(r'href="(/admin/[a-z_]+/[a-z_]+/(?:add/|\d+/change/)?)"')


class _Names(HTMLParser):
    """The texts of the elements where the admin prints model and field names."""

    NAMED = {"h1", "label", "caption"}

    def __init__(self) -> None:
        super().__init__()
        self.names: list[str] = []
        self._depth = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        column = tag == "th" and found.get("scope") == "col"
        model_row = tag == "th" and found.get("scope") == "row"
        # Nested named elements count too, so the closing tags balance.
        if tag in self.NAMED or column or model_row or (self._depth and tag == "th"):
            self._depth += 1

    def handle_endtag(self, tag: str) -> None:
        if self._depth and tag in {"th", "h1", "label", "caption"}:
            self._depth -= 1

    def handle_data(self, data: str) -> None:
        text = " ".join(data.split()).strip(":")
        if self._depth and text and re.search(r"[A-Za-z]{2}", text):
            self.names.append(text)


@pytest.fixture(scope="module")
def admin_client(django_db_setup, django_db_blocker) -> Iterator[Client]:
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("simulate", "--seed", "1", "--orders", "40", "--demo-accounts", "--quiet")
        boss = User.objects.create_superuser("superuser", "superuser@example.com", "x", language="ru")
        client = Client(raise_request_exception=False)
        client.force_login(boss)
        yield client
        transaction.set_rollback(True)


def _english_names(html: str) -> list[str]:
    page = _Names()
    page.feed(html)
    return [name for name in page.names if not CYRILLIC.search(name) and name not in SAME_IN_BOTH]


@pytest.mark.django_db
def test_the_django_admin_names_every_model_and_field_in_russian(admin_client):
    # given a superuser reading Russian and the demo's data
    index = admin_client.get("/admin/")
    pages = sorted({link for link in ADMIN_LINK.findall(index.content.decode()) if not OTHERS.match(link)})
    changelists = [link for link in pages if not link.endswith(("add/", "change/"))]

    # when they open the index, each model's list, its add form and its first object
    faults = [f"/admin/: {name!r}" for name in _english_names(index.content.decode())]
    visited = 0
    for changelist in changelists:
        listing = admin_client.get(changelist)
        visited += 1
        html = listing.content.decode()
        targets = [changelist, *sorted(set(ADMIN_LINK.findall(html)) - {changelist})[:2]]
        for target in targets:
            page = listing if target == changelist else admin_client.get(target)
            visited += target != changelist
            if page.status_code >= 400:
                faults.append(f"{target}: answered {page.status_code}")
                continue
            faults.extend(f"{target}: {name!r}" for name in _english_names(page.content.decode()))

    # then every name on them is Russian
    assert index.status_code == 200
    assert len(changelists) > 20
    assert visited > 40
    assert sorted(set(faults)) == []


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("path", "title"),
    [
        ("/admin/shipping/carrier/add/", "Добавить службу доставки"),
        ("/admin/helpcenter/article/add/", "Добавить статью справки"),
        ("/admin/console/team/add/", "Добавить команду"),
        ("/admin/auth/group/add/", "Добавить группу"),
        ("/admin/core/policyversion/", "Выберите версию правил для просмотра"),
    ],
)
def test_the_django_admin_declines_a_models_name_in_its_titles(admin_client, path, title):
    # when the superuser opens the page
    page = admin_client.get(path)

    # then its heading puts the model's name in the accusative, as Russian says it
    assert page.status_code == 200
    assert f"<h1>{title}</h1>" in page.content.decode()
