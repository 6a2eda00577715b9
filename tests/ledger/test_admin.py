"""The ledger in the admin: visible to administrators, never edited by hand."""

from __future__ import annotations

import pytest

from marketdesk.core.actors import Actor
from marketdesk.core.money import Money
from marketdesk.ledger.services import EntrySpec, ledger_record_decision

pytestmark = pytest.mark.django_db


def test_an_administrator_reads_entries_but_cannot_add_change_or_delete(client, admin_user, paid_order):
    entry = ledger_record_decision(
        decision_key="case-1:decision",
        order=paid_order,
        case_id=1,
        entries=[EntrySpec("refund", "seller", Money(2500, "GBP"), "item_not_received")],
        actor=Actor.system(),
    )[0]
    client.force_login(admin_user)

    listing = client.get("/admin/ledger/ledgerentry/")
    detail = client.get(f"/admin/ledger/ledgerentry/{entry.pk}/change/")
    add = client.get("/admin/ledger/ledgerentry/add/")
    delete = client.post(f"/admin/ledger/ledgerentry/{entry.pk}/delete/", {"post": "yes"})

    assert (listing.status_code, detail.status_code, add.status_code, delete.status_code) == (200, 200, 403, 403)
    assert b"item_not_received" in detail.content
