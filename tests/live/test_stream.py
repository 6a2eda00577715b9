"""GET /live/: a user's own events, in order, resumed after a reconnect without loss or repeats."""

from __future__ import annotations

import asyncio
import datetime as dt

import pytest
from asgiref.sync import sync_to_async
from django.db import connection, transaction
from django.test import Client

from marketdesk.live.models import LiveEvent
from marketdesk.live.services import live_events_prune, live_publish
from tests.live.conftest import apublish, fails_after_publishing, open_stream, publish_committed, run

pytestmark = pytest.mark.django_db(transaction=True)


def test_anonymous_is_refused_with_401() -> None:
    response = Client().get("/live/")

    assert (response.status_code, response.content) == (401, b"")


def test_a_wsgi_server_gets_no_content_instead_of_an_endless_stream(buyer) -> None:
    client = Client()
    client.force_login(buyer, backend="django.contrib.auth.backends.ModelBackend")

    assert client.get("/live/").status_code == 204


def test_only_get_is_allowed(buyer) -> None:
    client = Client()
    client.force_login(buyer, backend="django.contrib.auth.backends.ModelBackend")

    assert client.post("/live/").status_code == 405


def test_an_event_reaches_the_open_stream_of_its_recipient(buyer) -> None:
    async def scenario() -> list[object]:
        async with open_stream(buyer) as frames:
            event_id = await apublish([buyer.pk], 1)
            frame = await frames.next()
            return [frame.id == event_id, frame.event, frame.data]

    assert run(scenario()) == [True, "message.posted", {"n": 1}]


def test_a_user_never_receives_another_users_events(buyer, other_buyer, seller) -> None:
    async def scenario() -> tuple[list[int], list[int], list[int]]:
        async with open_stream(buyer) as mine, open_stream(other_buyer) as theirs, open_stream(seller) as sellers:
            await apublish([other_buyer.pk], 1)
            await apublish([buyer.pk, seller.pk], 2)
            await apublish([other_buyer.pk], 3)
            await apublish([buyer.pk], 4)
            return (
                [(await mine.next()).data["n"] for _ in range(2)],
                [(await theirs.next()).data["n"] for _ in range(2)],
                [(await sellers.next()).data["n"]],
            )

    assert run(scenario()) == ([2, 4], [1, 3], [2])


def test_a_rolled_back_change_never_reaches_a_stream(buyer) -> None:
    def rolled_back() -> None:
        with pytest.raises(RuntimeError):
            fails_after_publishing(buyer.pk, 1)

    async def scenario() -> int:
        async with open_stream(buyer) as frames:
            await sync_to_async(rolled_back)()
            await apublish([buyer.pk], 2)
            return (await frames.next()).data["n"]

    assert run(scenario()) == 2


def test_the_stream_carries_nothing_until_the_commit(buyer) -> None:
    async def scenario() -> list[int]:
        async with open_stream(buyer) as frames:
            order: list[int] = []

            def publish_then_wait() -> None:
                try:
                    with transaction.atomic():
                        live_publish(user_ids=[buyer.pk], event="message.posted", data={"n": 1})
                        # The stream gets its chance while the transaction is still open.
                        asyncio.run_coroutine_threadsafe(asyncio.sleep(0.3), loop).result()
                        order.append(0)
                finally:
                    connection.close()  # this worker thread's own connection

            loop = asyncio.get_running_loop()
            publishing = asyncio.create_task(sync_to_async(publish_then_wait, thread_sensitive=False)())
            frame = await frames.next()
            order.append(frame.data["n"])
            await publishing
            return order

    assert run(scenario()) == [0, 1]


def test_resume_with_last_event_id_yields_exactly_the_missed_events(buyer, other_buyer) -> None:
    ids = [publish_committed([buyer.pk, other_buyer.pk], n) for n in range(1, 6)]
    seen_before_the_drop = LiveEvent.objects.get(user=buyer, data__n=2).pk

    async def scenario() -> list[tuple[int | None, int]]:
        async with open_stream(buyer, last_event_id=seen_before_the_drop) as frames:
            missed = [await frames.next() for _ in range(3)]
            await apublish([buyer.pk], 6)
            fresh = await frames.next()
            return [(f.id, f.data["n"]) for f in [*missed, fresh]]

    received = run(scenario())
    mine = dict(LiveEvent.objects.filter(user=buyer).values_list("data__n", "id"))
    assert received == [(mine[3], 3), (mine[4], 4), (mine[5], 5), (mine[6], 6)]
    assert ids == sorted(ids)


def test_reconnecting_again_and_again_while_events_flow_loses_and_repeats_nothing(buyer) -> None:
    total = 30

    async def publisher() -> None:
        for n in range(total):
            await apublish([buyer.pk], n)
            await asyncio.sleep(0)

    async def scenario() -> list[int]:
        received: list[int] = []
        ids: list[int] = []
        last_event_id = 0
        flowing = asyncio.create_task(publisher())
        while len(received) < total:
            # Each connection takes two events, then drops as a flaky network would.
            async with open_stream(buyer, last_event_id=last_event_id) as frames:
                for _ in range(min(2, total - len(received))):
                    frame = await frames.next()
                    received.append(frame.data["n"])
                    ids.append(frame.id or 0)
                    last_event_id = frame.id or 0
        await flowing
        assert ids == sorted(set(ids))
        return received

    assert run(scenario()) == list(range(total))


def test_a_resume_point_that_was_pruned_asks_the_page_to_refresh_everything(buyer, frozen_clock) -> None:
    gone = publish_committed([buyer.pk], 1)
    frozen_clock.advance(dt.timedelta(days=1))
    live_events_prune()
    publish_committed([buyer.pk], 2)

    async def scenario() -> list[tuple[int | None, str, int | None]]:
        async with open_stream(buyer, last_event_id=gone) as frames:
            reset = await frames.next()
            await apublish([buyer.pk], 3)
            fresh = await frames.next()
            return [(f.id, f.event, f.data.get("n")) for f in (reset, fresh)]

    received = run(scenario())
    assert received == [(None, "live.reset", None), (LiveEvent.objects.get(data__n=3).pk, "message.posted", 3)]


def test_the_first_connection_gets_what_happened_while_the_page_loaded(buyer, frozen_clock) -> None:
    publish_committed([buyer.pk], 1)
    frozen_clock.advance(dt.timedelta(minutes=10))
    publish_committed([buyer.pk], 2)
    frozen_clock.advance(dt.timedelta(seconds=2))
    rendered_at = int(frozen_clock.now().timestamp())
    frozen_clock.advance(dt.timedelta(seconds=1))

    async def scenario() -> list[int]:
        async with open_stream(buyer, since=rendered_at) as frames:
            loaded = await frames.next()
            await apublish([buyer.pk], 3)
            return [loaded.data["n"], (await frames.next()).data["n"]]

    assert run(scenario()) == [2, 3]
