"""Helpers for tests that play several workers: a worker's death, work on a connection of its own, races, sweeps."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable
from functools import partial
from typing import Any

import pytest
from django.db import DatabaseError, connection

from marketdesk.cases.fanout import FANOUT_TOPIC
from marketdesk.core.clock import FrozenClock
from marketdesk.core.models import OutboxMessage
from marketdesk.core.outbox import CLAIM_LEASE, outbox_deliver, outbox_sweep


class WorkerDied(BaseException):
    """The worker process dies here: nothing after this point of the worker runs (as SIGKILL would do)."""


def on_own_connection(work: Callable[[], Any], results: list[Any]) -> None:
    """Run ``work`` as another thread does, on its own connection; keep its result, or a database error's text."""
    try:
        results.append(work())
    except DatabaseError as exc:
        results.append(f"{type(exc).__name__}: {exc}")
    finally:
        connection.close()


def at_once[T](work: Callable[[], T], attempts: int) -> tuple[list[T], list[Exception]]:
    """Run ``work`` in ``attempts`` threads released together, each on its own connection (closed after).

    Return what the attempts returned and what they raised, each in the order they finished. Real threads need
    real commits and row locks: the test is ``django_db(transaction=True)``, on PostgreSQL.
    """
    start = threading.Barrier(attempts)
    results: list[T] = []
    errors: list[Exception] = []

    def attempt() -> None:
        try:
            start.wait()
            results.append(work())
        except Exception as exc:  # noqa: BLE001 - handed back for the test to assert
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=attempt) for _ in range(attempts)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results, errors


def fan_out() -> int:
    """Deliver the pending case fan-outs (cases.fanout) as the worker does after commit; return how many ran."""
    pending = OutboxMessage.objects.filter(topic=FANOUT_TOPIC, delivered_at__isnull=True).order_by("id")
    return sum(outbox_deliver(pk) for pk in pending.values_list("pk", flat=True))


def sweep_at_once(workers: int = 2) -> list[Any]:
    """Sweep the outbox from ``workers`` threads released together, each with its own connection.

    Return what each sweep sent (or its error's text).
    """
    sent, errors = at_once(partial(outbox_sweep, older_than=dt.timedelta(0)), workers)
    return [*sent, *(f"{type(exc).__name__}: {exc}" for exc in errors)]


def sweep_dying_after(module: object, name: str) -> None:
    """Sweep once with a worker that dies right after ``module.name`` returns: the send happened, nothing recorded."""
    send = getattr(module, name)

    def send_then_die(*args: Any, **kwargs: Any) -> None:
        send(*args, **kwargs)
        raise WorkerDied

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(module, name, send_then_die)
        with pytest.raises(WorkerDied):
            outbox_sweep(older_than=dt.timedelta(0))


def sweep_during_and_after_lease(frozen_clock: FrozenClock) -> tuple[int, int]:
    """Sweep a second before a claim made now expires, and again when it has; return what each sent."""
    frozen_clock.advance(CLAIM_LEASE - dt.timedelta(seconds=1))
    during_lease = outbox_sweep(older_than=dt.timedelta(0))
    frozen_clock.advance(dt.timedelta(seconds=1))
    return during_lease, outbox_sweep(older_than=dt.timedelta(0))
