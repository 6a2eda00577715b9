"""The audit trail names every action in the reader's language: on the Russian page no action shows as its code
or in English, whichever app wrote it (the review found "Appeal decide" there)."""

from __future__ import annotations

import ast
import re
from html import unescape
from pathlib import Path

import pytest
from django.urls import reverse

from marketdesk.core.actors import Actor
from marketdesk.core.audit import audit_record
from tests import factories
from tests.console.conftest import client_as

pytestmark = pytest.mark.django_db

SRC = Path(__file__).resolve().parents[2] / "src" / "marketdesk"

# Every action the code writes to the trail, read off its audit_record calls by hand; the two written from a
# variable are spelled out: an assignment's way (console.services.assignment) and a held message's decision.
ACTIONS = [
    "admin.added", "admin.changed", "admin.deleted",
    "api_key.created", "api_key.revoked",
    "buyer_restriction.apply", "buyer_restriction.appeal_decide", "buyer_restriction.lift",
    "calendar.changed", "calendar.created",
    "carrier.mapping_added", "carrier.mapping_changed",
    "case.assign", "case.claim", "case.release", "case.round_robin",
    "case.closed", "case.decided", "case.info_requested", "case.note_added", "case.review_started", "case.viewed",
    "enforcement.appeal_decide", "enforcement.apply", "enforcement.dismiss", "enforcement.lift",
    "macro.archived", "macro.changed", "macro.created", "macro.deleted", "macro.restored", "macro.translated",
    "macro.used",
    "message_flag.blocked", "message_flag.released",
    "policy.published",
    "standards.recompute",
    "user.deactivated", "user.invited", "user.reactivated", "user.role_changed",
    "webhook.created", "webhook.delivery_retried", "webhook.paused", "webhook.resumed", "webhook.secret_rotated",
]  # fmt: skip


def _literals(node: ast.AST) -> set[object]:
    """The constants of an expression, outside f-strings (their parts are no action)."""
    if isinstance(node, ast.Constant):
        return {node.value}
    if isinstance(node, ast.JoinedStr):
        return set()
    return set().union(*(_literals(child) for child in ast.iter_child_nodes(node)))


def _written_actions() -> set[str]:
    """The literal actions of every audit_record call in the source, both branches of a conditional included."""
    found: set[object] = set()
    for path in SRC.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "audit_record":
                for keyword in (k for k in node.keywords if k.arg == "action"):
                    found |= _literals(keyword.value)
    return {value for value in found if isinstance(value, str) and "." in value}


def _action_cell(html: str, action: str) -> str:
    """The words in the Action column of the entry whose code is ``action`` (its row's third cell)."""
    row = re.search(rf'<tr data-audit-action="{re.escape(action)}">(.*?)</tr>', html, re.S)
    assert row is not None, action
    cells = re.findall(r"<td[^>]*>(.*?)</td>", row.group(1), re.S)
    return unescape(re.sub(r"<[^>]+>", "", cells[2])).strip()


def test_the_list_holds_every_action_the_code_writes():
    # given the source's audit_record calls / when their literal actions are read / then each is in the list
    assert _written_actions() - set(ACTIONS) == set()


@pytest.mark.parametrize("action", ACTIONS)
def test_each_action_is_named_in_russian_on_the_russian_page(marketplace, action):
    # given an entry of this action in the marketplace's trail, and an English and a Russian administrator
    english = factories.AdminFactory(marketplace=marketplace, language="en")
    russian = factories.AdminFactory(marketplace=marketplace, language="ru")
    audit_record(actor=Actor.for_user(english), action=action, object_type="cases.case", object_id="7")
    # when each reads the audit trail
    english_page = client_as(english).get(reverse("console:audit"))
    russian_page = client_as(russian).get(reverse("console:audit"))
    # then the Russian page names the action in its own words: not the code, not the English label
    assert (english_page.status_code, russian_page.status_code) == (200, 200)
    english_label = _action_cell(english_page.content.decode(), action)
    russian_label = _action_cell(russian_page.content.decode(), action)
    assert russian_label not in {action, "", english_label}, (action, russian_label)
    assert english_label not in unescape(russian_page.content.decode()), (action, english_label)
