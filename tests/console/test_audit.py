"""The audit trail: one entry per operator action and per view of personal data; permanent; scoped; exported."""

from __future__ import annotations

import csv
import io

import pytest
from django.db import IntegrityError, connection, transaction
from django.urls import reverse

from marketdesk.cases.services.evidence import case_note_add
from marketdesk.cases.services.review import case_info_request
from marketdesk.console.models import AuditEntry
from marketdesk.core.audit import audit_record
from marketdesk.core.errors import ImmutableRecord
from marketdesk.core.proxies import trusted_networks
from tests.asgi import asgi_get, asgi_pieces
from tests.cases.conftest import decide_full_refund
from tests.console.conftest import client_as

pytestmark = pytest.mark.django_db

CSV_HEADER = ["occurred_at", "actor", "role", "action", "object_type", "object_id", "object", "before", "after", "ip"]


def actions(case) -> list[str]:
    return list(
        AuditEntry.objects.filter(object_type="cases.case", object_id=str(case.pk))
        .order_by("occurred_at", "id")
        .values_list("action", flat=True)
    )


def test_each_operator_action_on_a_case_is_audited_in_order(reviewed, operator_actor):
    case_note_add(actor=operator_actor, case=reviewed, body="Check the tracking.")
    case_info_request(actor=operator_actor, case=reviewed, party="seller", question="Tracking number?")
    decide_full_refund(operator_actor, reviewed)

    assert actions(reviewed) == ["case.review_started", "case.note_added", "case.info_requested", "case.decided"]


def test_an_entry_records_who_when_what_and_the_change(reviewed, operator, operator_actor, at_now):
    decide_full_refund(operator_actor, reviewed)

    entry = AuditEntry.objects.get(action="case.decided")
    assert (entry.actor_user, entry.actor_role, entry.occurred_at, entry.marketplace_id) == (
        operator,
        "operator",
        at_now.now(),
        operator.marketplace_id,
    )
    assert (entry.before["status"], entry.after["outcome"], entry.after["amount"]) == (
        "under_review",
        "buyer_full_refund",
        2500,
    )


def test_opening_the_workspace_records_a_view_of_personal_data(escalated, operator):
    response = client_as(operator).get(reverse("cases:workspace", args=[escalated.pk]), REMOTE_ADDR="203.0.113.9")

    entry = AuditEntry.objects.get(action="case.viewed")
    assert (response.status_code, entry.object_id, entry.ip) == (200, str(escalated.pk), "203.0.113.9")


def test_the_audit_trail_ignores_a_forwarded_address_from_an_untrusted_peer(escalated, operator):
    # when an operator opens a workspace claiming another address
    response = client_as(operator).get(
        reverse("cases:workspace", args=[escalated.pk]),
        REMOTE_ADDR="198.51.100.7",
        headers={"X-Forwarded-For": "192.0.2.1"},
    )
    # then the audit trail records the real one
    entry = AuditEntry.objects.get(action="case.viewed")
    assert (response.status_code, entry.ip) == (200, "198.51.100.7")


def test_the_audit_trail_records_the_client_behind_a_trusted_proxy(escalated, operator, settings):
    # given the proxies in front
    settings.TRUSTED_PROXIES = trusted_networks("10.0.0.0/8")
    # when an operator opens a workspace through two of them
    response = client_as(operator).get(
        reverse("cases:workspace", args=[escalated.pk]),
        REMOTE_ADDR="10.0.0.2",
        headers={"X-Forwarded-For": "203.0.113.5, 10.1.0.3"},
    )
    # then the audit trail records the operator's own address
    entry = AuditEntry.objects.get(action="case.viewed")
    assert (response.status_code, entry.ip) == (200, "203.0.113.5")


def test_under_asgi_the_csv_export_streams_through_an_async_iterator(escalated, operator, operator_actor):
    # given 3,000 entries: more than one database chunk (2,000) and 256 KB
    for _ in range(3000):
        audit_record(actor=operator_actor, action="case.viewed", obj=escalated)
    # when the export is served through the ASGI handler
    response = asgi_get(operator, reverse("console:audit_csv") + "?action=case.viewed")
    pieces = asgi_pieces(response)
    rows = list(csv.reader(io.StringIO(b"".join(pieces).decode())))
    # then it comes as an async stream of pieces, every entry in it
    assert (response.status_code, response.is_async, response["Content-Type"]) == (200, True, "text/csv; charset=utf-8")
    assert len(pieces) > 1
    assert rows[0] == CSV_HEADER
    assert (len(rows), {r[3] for r in rows[1:]}, {r[5] for r in rows[1:]}) == (
        3001,
        {"case.viewed"},
        {str(escalated.pk)},
    )


def test_entries_are_never_changed_or_deleted_in_code(operator_actor, escalated):
    entry = audit_record(actor=operator_actor, action="case.viewed", obj=escalated)

    with pytest.raises(ImmutableRecord):
        entry.save()
    with pytest.raises(ImmutableRecord):
        entry.delete()
    with pytest.raises(ImmutableRecord):
        AuditEntry.objects.filter(pk=entry.pk).update(action="nothing")
    with pytest.raises(ImmutableRecord):
        AuditEntry.objects.all().delete()


@pytest.mark.postgres_only
@pytest.mark.parametrize(
    ("sql", "operation"),
    [
        ("UPDATE console_auditentry SET action = 'tampered' WHERE id = %s", "UPDATE"),
        ("DELETE FROM console_auditentry WHERE id = %s", "DELETE"),
    ],
)
def test_raw_sql_change_is_refused_by_the_database(operator_actor, escalated, sql, operation):
    """The trigger of migration console/0002 refuses what bypasses the ORM (run by the PostgreSQL suite)."""
    entry = audit_record(actor=operator_actor, action="case.viewed", obj=escalated)

    refused = f"audit entries are append-only \\({operation} refused\\)"
    with pytest.raises(IntegrityError, match=refused), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, [entry.pk])

    assert AuditEntry.objects.get(pk=entry.pk).action == "case.viewed"
