"""The outbox: side effects written in the caller's transaction, delivered after commit.

``outbox_put`` stores a row and, only once the transaction commits, enqueues
its delivery task: a rolled-back change sends nothing.

Delivery (``outbox_deliver``) runs in three steps, so that no network call
ever happens inside a transaction (ADR 0013):

1. **Claim**, in a short transaction: the message gets a fresh ``claim_token``
   and a lease (``claimed_until``, now + ``CLAIM_LEASE``) by one conditional
   UPDATE that only succeeds while the message is undelivered, due and not
   claimed by a live lease. Of two workers, exactly one wins; on PostgreSQL
   the row is first taken with ``SELECT … FOR UPDATE SKIP LOCKED`` so a worker
   moves on instead of queueing behind another's claim. The claim counts the
   attempt (``attempts``), and the topic's ``begin`` hook, if any, writes what
   must exist before the send (a webhook's attempt row, "sending"): every send
   is counted even if the worker never gets to record it.
2. **Send**, outside any transaction (checked: ``outbox_assert_outside_transactions``):
   the topic's handler reads what it needs, performs the side effect (HTTP,
   SMTP) and returns what to write about it, a ``Record``.
3. **Record**, in a second short transaction, only if the claim is still
   ours: the handler's ``Record`` runs and the message is marked delivered
   (or, if the handler raised, the message is retried after ``RETRY_BACKOFF``).

A worker that dies between 2 and 3 leaves the claim behind; once its lease
expires the sweep claims the message again (``last_error`` says the worker
stopped; the ``begin`` hook sees its unfinished attempt) and the handler sends
again. A handler must therefore make a repeat harmless on the receiving side
(webhooks carry the same ``webhook-id``; mails the same ``Message-ID``).
``outbox_requeue`` (the periodic sweep) puts anything a crashed worker, a lost
enqueue or a failed attempt left back on its topic's own queue, so that a
backlog of webhooks to a slow receiver never holds up mail or the nightly jobs;
``outbox_sweep`` delivers the same leftovers inline (the demo's simulator, tests).

A topic registered ``batched`` (a case's fan-out, written by every hot write) is not given a
task per row: a commit that put rows of it asks for one drain of the topic (``outbox_drain``),
at most once per ``OUTBOX_BATCH_SECONDS`` in each process, to run once that window is over; rows
committed within the window go with it. The drain delivers each row as above, so a lost drain
is only a delay: the sweep finds its rows.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
import time
import uuid
from collections.abc import Callable
from functools import partial
from typing import Any

from django.conf import settings
from django.db import connection, connections, transaction
from django.db.models import F, Q, QuerySet

from marketdesk.core import clock
from marketdesk.core.bulk import instance_insert
from marketdesk.core.models import OutboxMessage

log = logging.getLogger(__name__)

#: The writes that record a side effect once it happened; run in the record step's transaction.
Record = Callable[[], None]
#: A topic's handler: runs outside any transaction, sends, and returns its ``Record`` (or None: nothing to write).
Handler = Callable[[OutboxMessage], Record | None]
_HANDLERS: dict[str, Handler] = {}
#: Per topic, writes made in the claim's transaction, before the send (``outbox_handler(begin=...)``).
Begin = Callable[[OutboxMessage], None]
_BEGINS: dict[str, Begin] = {}
#: What a message's last_error says when its previous claim expired unrecorded.
WORKER_STOPPED = "outcome unknown: the worker stopped before recording it"
#: The task queue each topic's deliveries go to (settings.TASK_QUEUES): a slow webhook receiver
#: holds up the webhooks queue only, never mail.
_QUEUES: dict[str, str] = {}
#: Seconds to wait after each failed attempt (settings: MARKETDESK_OUTBOX_RETRY_SECONDS).
RETRY_BACKOFF = tuple(settings.OUTBOX_RETRY_SECONDS)
#: Topics delivered by drains in batches (``outbox_handler(batched=True)``), and how long each process's drain
#: of one waits for more rows (settings: MARKETDESK_OUTBOX_BATCH_SECONDS).
_BATCHED: set[str] = set()
BATCH_WINDOW = dt.timedelta(seconds=settings.OUTBOX_BATCH_SECONDS)
#: Per batched topic, until when (time.monotonic) the drain this process asked for has not started yet.
_drain_asked_until: dict[str, float] = {}
_drain_lock = threading.Lock()
#: How many messages one drain delivers before it hands the rest to another.
DRAIN_BATCH = 500
#: How long a claim keeps other workers off a message; longer than any handler's send may take
#: (a webhook's and an SMTP send's timeouts are 10 s), short enough that a dead worker's message
#: is re-sent soon (two minutes unless MARKETDESK_OUTBOX_LEASE_SECONDS says otherwise).
CLAIM_LEASE = dt.timedelta(seconds=settings.OUTBOX_LEASE_SECONDS)
#: The sweep leaves alone messages younger than this: their own delivery task is on its way.
SWEEP_AGE = dt.timedelta(seconds=settings.OUTBOX_SWEEP_SECONDS / 2)


def outbox_handler(
    topic: str, *, queue: str = "default", begin: Begin | None = None, batched: bool = False
) -> Callable[[Handler], Handler]:
    """Register the function that delivers messages of ``topic``, on the task queue ``queue``.

    The handler is called outside any transaction with the claimed message. It may
    read, and it performs the side effect; it must not write. It returns a function
    holding the writes that record the side effect (or None), which the outbox runs
    in the transaction that marks the message delivered. Raising makes the outbox
    retry the message later.

    ``begin``, if given, runs in the claim's transaction once the claim is won, with
    the claimed message: the writes that must exist before the send (an attempt
    row), and the settling of an attempt a stopped worker left unfinished.

    ``batched`` delivers the topic's messages by drains, a batch each, instead of a task per message.
    """

    def register(fn: Handler) -> Handler:
        _HANDLERS[topic] = fn
        _QUEUES[topic] = queue
        if begin is not None:
            _BEGINS[topic] = begin
        if batched:
            _BATCHED.add(topic)
        return fn

    return register


def outbox_put(*, topic: str, payload: dict[str, Any], dedupe_key: str | None = None) -> OutboxMessage:
    """Write a side effect into the outbox as part of the current transaction."""
    if topic not in _HANDLERS:
        raise ValueError(f"no outbox handler for {topic!r}")
    if dedupe_key is not None:
        existing = OutboxMessage.objects.filter(dedupe_key=dedupe_key).first()
        if existing is not None:
            return existing
    message = OutboxMessage(topic=topic, payload=payload, dedupe_key=dedupe_key)
    instance_insert(message)  # a plain insert: every hot write leaves one
    deliver = partial(_enqueue_drain, topic) if topic in _BATCHED else partial(_enqueue, message.pk, topic)
    transaction.on_commit(deliver)
    return message


def _enqueue(message_id: int, topic: str) -> bool:
    from marketdesk.core.tasks import deliver_outbox_message

    try:
        deliver_outbox_message.using(queue_name=_QUEUES[topic]).enqueue(message_id)
    except Exception:  # the sweep picks it up; the change itself is already committed
        log.exception("could not enqueue outbox message %s", message_id)
        return False
    return True


def _enqueue_drain(topic: str) -> bool:
    """Ask for a drain of ``topic`` after the batch window, unless this process asked within it (after commit)."""
    from marketdesk.core.tasks import drain_outbox_topic

    # The task for the topic's queue is made only when a drain is asked for (most rows find one asked already):
    # the backend is the same whatever the queue.
    if not drain_outbox_topic.get_backend().supports_defer:
        # A backend that runs the task now (the immediate one): drain at once what has committed, every time.
        return _enqueue_drain_task(drain_outbox_topic.using(queue_name=_QUEUES[topic]), topic)
    asked = time.monotonic()
    with _drain_lock:
        if _drain_asked_until.get(topic, 0.0) > asked:
            return True  # that drain starts after this row's commit (its run_after is later): it takes the row
        _drain_asked_until[topic] = asked + BATCH_WINDOW.total_seconds()
    task = drain_outbox_topic.using(queue_name=_QUEUES[topic], run_after=clock.now() + BATCH_WINDOW)
    if not _enqueue_drain_task(task, topic):
        with _drain_lock:
            _drain_asked_until.pop(topic, None)
        return False
    return True


def _enqueue_drain_task(task: Any, topic: str) -> bool:
    try:
        task.enqueue(topic)
    except Exception:  # the sweep picks the rows up; the change itself is already committed
        log.exception("could not enqueue a drain of outbox topic %s", topic)
        return False
    return True


def outbox_drain(topic: str, *, limit: int = DRAIN_BATCH) -> int:
    """Deliver the due messages of a batched ``topic``, oldest first, ``limit`` at most; return how many were sent.

    More than ``limit`` waiting: another drain is queued at once for the rest.
    """
    due = OutboxMessage.objects.filter(_claimable(clock.now()), topic=topic).order_by("id")
    ids = list(due.values_list("id", flat=True)[:limit])
    sent = sum(1 for message_id in ids if outbox_deliver(message_id))
    if len(ids) == limit:
        from marketdesk.core.tasks import drain_outbox_topic

        drain_outbox_topic.using(queue_name=_QUEUES[topic]).enqueue(topic)
    return sent


def _claimable(now: dt.datetime) -> Q:
    """Undelivered, due, and not held by a live claim."""
    return Q(delivered_at__isnull=True, available_at__lte=now) & (
        Q(claimed_until__isnull=True) | Q(claimed_until__lte=now)
    )


def outbox_claim(message_id: int) -> OutboxMessage | None:
    """Claim one message for this worker (a short transaction); return it, or None if it is not ours to send."""
    now = clock.now()
    token = uuid.uuid4().hex
    with transaction.atomic():
        candidates = OutboxMessage.objects.filter(_claimable(now), pk=message_id)
        skip_locked = connection.features.has_select_for_update_skip_locked
        # On PostgreSQL: another worker claiming this row right now holds its lock; move on rather than wait.
        if skip_locked and not candidates.select_for_update(skip_locked=True).values_list("pk", flat=True):
            return None
        # A claim that expired unrecorded: its worker stopped after counting an attempt whose outcome is unknown.
        stopped = candidates.filter(claimed_until__isnull=False).exists()
        # The UPDATE evaluates the condition again itself, so of two workers only one gets the row. The
        # attempt is counted now, before the send, so a worker that dies after sending has counted it.
        won = candidates.update(claim_token=token, claimed_until=now + CLAIM_LEASE, attempts=F("attempts") + 1)
        if not won:
            return None
        if stopped:
            OutboxMessage.objects.filter(pk=message_id).update(last_error=WORKER_STOPPED)
        message = OutboxMessage.objects.get(pk=message_id)
        begin = _BEGINS.get(message.topic)
        if begin is not None:
            begin(message)
    return message


def outbox_assert_outside_transactions() -> None:
    """Refuse to run a network step inside a transaction (a test case's own wrapping aside).

    A send inside a transaction holds SQLite's only write lock, or PostgreSQL row
    locks and a connection, for as long as the receiver takes to answer.
    """
    for conn in connections.all(initialized_only=True):
        # Test cases wrap each test in atomic blocks marked _from_testcase, as Django's own durable check allows.
        if any(not getattr(block, "_from_testcase", False) for block in conn.atomic_blocks):
            raise RuntimeError(f"outbox delivery must not run inside a transaction (database {conn.alias!r})")


def _locked_if_still_ours(message: OutboxMessage) -> OutboxMessage | None:
    return (
        OutboxMessage.objects.select_for_update()
        .filter(pk=message.pk, claim_token=message.claim_token, delivered_at__isnull=True)
        .first()
    )


def _record_failure(message: OutboxMessage, exc: Exception) -> None:
    with transaction.atomic():
        mine = _locked_if_still_ours(message)
        if mine is None:
            return  # another worker took the message over after our lease ran out; its attempt counts
        mine.last_error = f"{type(exc).__name__}: {exc}"[:2000]
        wait = RETRY_BACKOFF[min(mine.attempts, len(RETRY_BACKOFF)) - 1]
        mine.available_at = clock.now() + dt.timedelta(seconds=wait)
        mine.claimed_until = None
        mine.save(update_fields=["last_error", "available_at", "claimed_until"])
    log.warning("outbox %s failed (attempt %s): %s", message.pk, mine.attempts, exc)


def _record_success(message: OutboxMessage, record: Record | None) -> bool:
    with transaction.atomic():
        mine = _locked_if_still_ours(message)
        if mine is None:
            log.warning("outbox %s: claim lost before recording; the new claimant sends it again", message.pk)
            return False
        if record is not None:
            record()
        mine.delivered_at = clock.now()
        mine.last_error = ""
        mine.claimed_until = None
        mine.save(update_fields=["delivered_at", "last_error", "claimed_until"])
    return True


def outbox_deliver(message_id: int) -> bool:
    """Claim, send and record one message unless it is delivered, not due, or claimed; return whether it was sent now."""
    outbox_assert_outside_transactions()
    message = outbox_claim(message_id)
    if message is None:
        return False
    handler = _HANDLERS[message.topic]
    try:
        record = handler(message)
    except Exception as exc:  # noqa: BLE001 - any failure is recorded and retried later
        _record_failure(message, exc)
        return False
    try:
        return _record_success(message, record)
    except Exception as exc:  # noqa: BLE001 - the record rolled back: count the attempt, send again later
        _record_failure(message, exc)
        return False


def _pending(older_than: dt.timedelta) -> QuerySet[OutboxMessage]:
    now = clock.now()
    return OutboxMessage.objects.filter(_claimable(now), created_at__lte=now - older_than).order_by("id")


def outbox_pending(*, older_than: dt.timedelta = dt.timedelta(0)) -> list[int]:
    """Return ids of messages due for delivery, not claimed, and created at least ``older_than`` ago."""
    return list(_pending(older_than).values_list("id", flat=True)[:1000])


def outbox_requeue(*, older_than: dt.timedelta = SWEEP_AGE) -> int:
    """Queue again, each on its own topic's queue, the messages left behind; return how many were queued.

    The periodic sweep runs this rather than sending: sending inline would put every leftover
    webhook (a receiver may take 10 s to answer) ahead of mail and of the other periodic tasks.
    A message queued twice (its own task was only slow to start) is sent once: the second task
    finds it delivered or claimed.
    """
    leftovers = _pending(older_than).values_list("id", "topic")[:1000]
    return sum(1 for message_id, topic in leftovers if _enqueue(message_id, topic))


def outbox_sweep(*, older_than: dt.timedelta = SWEEP_AGE) -> int:
    """Deliver, here and now, messages left behind by a crash or waiting for a retry; return how many were sent."""
    return sum(1 for message_id in outbox_pending(older_than=older_than) if outbox_deliver(message_id))


@outbox_handler("log")
def _deliver_log(message: OutboxMessage) -> None:
    """Write the payload to the log: for operations messages and tests of the mechanism."""
    log.info("outbox %s: %s", message.topic, message.payload)
