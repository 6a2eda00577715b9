"""The append-only timeline: refused in code everywhere, and by a trigger on PostgreSQL."""

from __future__ import annotations

import re

import pydantic
import pytest
from django.db import IntegrityError, connection, transaction

from marketdesk.core.actors import Actor
from marketdesk.core.errors import ImmutableRecord
from marketdesk.core.models import Audience, TimelineEvent
from marketdesk.core.timeline import EventType, Payload, StatusChanged, event_type, timeline_append
from marketdesk.orders.events import ORDER_DETAILS_UPDATED, ORDER_PLACED, OrderDetailsUpdatedPayload, OrderPlacedPayload
from tests import factories

pytestmark = pytest.mark.django_db


class NotePayload(Payload):
    text: str


NOTE_ADDED = EventType("test.note_added", Audience.INTERNAL, NotePayload)


@pytest.fixture
def event():
    order = factories.OrderFactory()
    return timeline_append(subject=order, event=NOTE_ADDED, actor=Actor.system(), payload=NotePayload(text="first"))


def stored(event: TimelineEvent) -> tuple[str, dict]:
    return TimelineEvent.objects.values_list("event_type", "payload").get(pk=event.pk)


def test_append_stores_the_declared_audience_and_payload(event):
    assert (event.event_type, event.audience, event.actor_role, event.actor_user, event.payload) == (
        "test.note_added",
        Audience.INTERNAL,
        "system",
        None,
        {"text": "first"},
    )


def test_saving_an_existing_event_is_refused(event):
    event.payload = {"text": "rewritten"}

    with pytest.raises(ImmutableRecord):
        event.save()

    assert stored(event) == ("test.note_added", {"text": "first"})


def test_deleting_an_event_is_refused(event):
    with pytest.raises(ImmutableRecord):
        event.delete()

    assert TimelineEvent.objects.filter(pk=event.pk).count() == 1


def test_queryset_update_is_refused(event):
    with pytest.raises(ImmutableRecord):
        TimelineEvent.objects.filter(pk=event.pk).update(event_type="test.tampered")

    assert stored(event) == ("test.note_added", {"text": "first"})


def test_queryset_delete_is_refused(event):
    with pytest.raises(ImmutableRecord):
        TimelineEvent.objects.filter(pk=event.pk).delete()

    assert TimelineEvent.objects.filter(pk=event.pk).count() == 1


@pytest.mark.postgres_only
@pytest.mark.parametrize(
    ("sql", "operation"),
    [
        ("UPDATE core_timelineevent SET event_type = 'test.tampered' WHERE id = %s", "UPDATE"),
        ("DELETE FROM core_timelineevent WHERE id = %s", "DELETE"),
    ],
)
def test_raw_sql_change_is_refused_by_the_database(event, sql, operation):
    """The trigger of migration core/0002 refuses what bypasses the ORM.

    It exists on PostgreSQL only (SQLite's test flush deletes rows), so this test is
    skipped on the SQLite run and executed by the PostgreSQL run (DATABASE_URL).
    """
    refused = re.escape(f"timeline events are append-only ({operation} refused)")
    with pytest.raises(IntegrityError, match=refused), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, [event.pk])

    assert stored(event) == ("test.note_added", {"text": "first"})


def test_payload_of_another_event_type_is_refused():
    order = factories.OrderFactory()

    with pytest.raises(
        TypeError, match=re.escape("order.placed takes OrderPlacedPayload, not OrderDetailsUpdatedPayload")
    ):
        timeline_append(
            subject=order, event=ORDER_PLACED, actor=Actor.system(), payload=OrderDetailsUpdatedPayload(changed=[])
        )

    assert TimelineEvent.objects.count() == 0


def test_a_plain_dict_payload_is_refused():
    order = factories.OrderFactory()

    with pytest.raises(TypeError):
        timeline_append(subject=order, event=ORDER_DETAILS_UPDATED, actor=Actor.system(), payload={"changed": []})

    assert TimelineEvent.objects.count() == 0


@pytest.mark.parametrize(
    ("model", "fields"),
    [
        (OrderPlacedPayload, {"status": "paid", "total_minor": 100, "currency": "GBP", "lines": 1, "note": "x"}),
        (OrderDetailsUpdatedPayload, {"changed": [], "by": "me"}),
        (StatusChanged, {"source": "paid", "target": "shipped", "reason": "x"}),
        (NotePayload, {"text": "hi", "secret": "x"}),
    ],
)
def test_payload_with_an_extra_field_is_refused(model, fields):
    with pytest.raises(pydantic.ValidationError, match="Extra inputs are not permitted"):
        model(**fields)


def test_payload_is_frozen():
    payload = NotePayload(text="hi")

    with pytest.raises(pydantic.ValidationError):
        payload.text = "changed"


def test_declaring_an_event_type_twice_with_another_shape_is_refused():
    with pytest.raises(ValueError, match=re.escape("test.note_added declared twice")):
        EventType("test.note_added", Audience.PUBLIC, NotePayload)

    assert event_type("test.note_added") == NOTE_ADDED
