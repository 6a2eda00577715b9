"""``Idempotency-Key`` for write operations: the same key and body replays the first response.

Usage, below the router's decorator::

    @router.post("/things", ...)
    @idempotent
    def thing_create(request, payload: ThingIn): ...

A request without the header runs as usual. With it, the first request is
recorded (scope = the caller's marketplace or user, key, method, path, a hash
of the body) at the start of the one transaction the view runs in, which also
stores the response under the key and commits all three together (one commit
per keyed write, not two). So a process that dies after the view's writes but
before the answer is stored leaves nothing behind, not even the key: its repeat
runs the write for the first and only time. A repeat that comes while the first
is still running waits on the key's row (PostgreSQL's unique index; SQLite's
one writer) and then replays its answer, or runs if the first failed.
A repeat with the same body gets that response again with
``Idempotent-Replayed: true``; the same key with another body is refused (422
``idempotency_key_reused``). A key recorded unanswered by an older release (a
short transaction of its own) is still honoured: its repeat is told to wait (409
``idempotency_in_progress``) until ``MARKETDESK_IDEMPOTENCY_ABANDONED_SECONDS``
have passed, then takes it over. A 5xx answer is not kept, nor one whose
writes failed part-way (a service's block without a savepoint of its own left
the transaction marked for rollback), and what the view wrote before failing is
rolled back with it, so the client may try again. The view wrapper runs after authentication (it needs
``request.auth``); a ninja run decorator, which sees the rendered response,
stores it.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import hashlib
import inspect
import json
import sys
from collections.abc import Callable
from typing import Any, cast

from django.conf import settings
from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.utils.translation import gettext_lazy as _
from ninja.decorators import decorate_view

from marketdesk.api.auth import request_actor
from marketdesk.api.errors import problem, problem_response
from marketdesk.api.models import IdempotencyRecord
from marketdesk.core import clock
from marketdesk.core.actors import Actor, Role
from marketdesk.core.bulk import instance_insert, rows_update_values

HEADER = "Idempotency-Key"
#: A first request still unanswered after this long died with its web process (no request runs
#: so long behind the balancer's timeouts): a repeat takes it over instead of waiting forever.
ABANDONED_AFTER = dt.timedelta(seconds=settings.IDEMPOTENCY_ABANDONED_SECONDS)
REPLAYED_HEADER = "Idempotent-Replayed"
MAX_KEY_LENGTH = 255
#: How long a key is remembered; a client retrying later than this is making a new request.
RETENTION = dt.timedelta(hours=24)
_ATTRIBUTE = "_marketdesk_idempotency_record"
#: What storing the answer writes, in the order ``_finish`` gives the values.
_ANSWER = ("status_code", "content_type", "response_body", "completed_at")
#: The transaction a keyed request's view runs in, open until its answer is stored (an ExitStack).
_TRANSACTION = "_marketdesk_idempotency_transaction"


def _scope(actor: Actor) -> str:
    if actor.role == Role.MARKETPLACE and actor.marketplace_id is not None:
        return f"marketplace:{actor.marketplace_id}"
    if actor.user is not None:
        return f"user:{actor.user.pk}"
    return f"role:{actor.role}"


def _request_hash(request: HttpRequest) -> str:
    body = request.body
    with contextlib.suppress(ValueError, UnicodeDecodeError):  # not JSON: hash the bytes as sent
        # Key order and whitespace are not part of what the client meant.
        body = json.dumps(json.loads(body), sort_keys=True, separators=(",", ":")).encode()
    return hashlib.sha256(body).hexdigest()


def _replay(record: IdempotencyRecord) -> HttpResponse:
    response = HttpResponse(record.response_body, status=record.status_code, content_type=record.content_type)
    response[REPLAYED_HEADER] = "true"
    return response


def _refusal(status: int, code: str, title: Any, detail: Any) -> HttpResponse:
    return problem_response(problem(status, code, title, detail, errors=[{"field": HEADER, "message": detail}]))


def _begin(request: HttpRequest, key: str) -> HttpResponse | None:
    """Record the first request under ``key`` in the open transaction; answer a repeat without running the view.

    The key's row, inserted (or taken over) here, stays locked until the view's answer commits with it.
    """
    actor = request_actor(request)
    identity = {"scope": _scope(actor), "key": key, "method": request.method or "", "path": request.path[:500]}
    digest = _request_hash(request)
    record = IdempotencyRecord(**identity, request_hash=digest)
    # One plain insert that skips a key already held (no savepoint to keep the transaction usable after a clash,
    # no statement compiled per request): what every keyed write pays.
    if not instance_insert(record, ignore_conflicts=True):
        first = IdempotencyRecord.objects.filter(**identity).first()
        if first is None:  # the first request failed with a 5xx meanwhile and was forgotten: go again
            return _begin(request, key)
        if first.request_hash != digest:
            return _refusal(
                422,
                "idempotency_key_reused",
                _("Some of the data is not valid."),
                _("The Idempotency-Key was already used with a different body; use a new key for a new request."),
            )
        if first.status_code is None and not _taken_over(first):
            # A takeover may have waited for the first request's transaction to end: it may be answered now.
            first.refresh_from_db()
            if first.status_code is None:
                return _in_progress()
        if first.status_code is not None:
            return _replay(first)
        record = first
    setattr(request, _ATTRIBUTE, record)
    return None


def _in_progress() -> HttpResponse:
    return _refusal(
        409,
        "idempotency_in_progress",
        _("Conflict with the current state."),
        _("A request with this Idempotency-Key is still being processed; retry in a moment."),
    )


def _taken_over(first: IdempotencyRecord) -> bool:
    """Take over a first request abandoned unanswered (its process died); of several repeats, one wins."""
    now = clock.now()
    if first.created_at > now - ABANDONED_AFTER:
        return False
    won = IdempotencyRecord.objects.filter(pk=first.pk, status_code__isnull=True, created_at=first.created_at)
    if not won.update(created_at=now):
        return False
    first.created_at = now
    return True


def _finish(request: HttpRequest, response: HttpResponseBase) -> None:
    """Store the answer in the view's own transaction and commit both; a 5xx rolls both back.

    So does an answer whose writes failed part-way (a service's block without a savepoint of its own marked the
    transaction for rollback): what it wrote is undone and the key forgotten, so a repeat runs again.
    """
    record: IdempotencyRecord | None = getattr(request, _ATTRIBUTE, None)
    if record is None:
        return
    stack: contextlib.ExitStack[bool | None] = getattr(request, _TRANSACTION)
    if response.status_code >= 500 or not isinstance(response, HttpResponse) or transaction.get_rollback():
        with stack:
            transaction.set_rollback(True)
        IdempotencyRecord.objects.filter(pk=record.pk).delete()
        return
    with stack:
        rows_update_values(
            IdempotencyRecord,
            _ANSWER,
            [
                (
                    record.pk,
                    response.status_code,
                    response.get("Content-Type", ""),
                    response.content.decode(response.charset or "utf-8"),
                    clock.now(),
                )
            ],
        )


def _abandon(request: HttpRequest) -> None:
    """Roll the view's transaction back when the request dies with an exception nothing turned into an answer."""
    stack: contextlib.ExitStack[bool | None] | None = getattr(request, _TRANSACTION, None)
    if stack is not None:
        stack.__exit__(*sys.exc_info())


def _store_response(run: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    @functools.wraps(run)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        try:
            response = run(request, *args, **kwargs)
        except BaseException:
            _abandon(request)
            raise
        _finish(request, response)
        return response

    return wrapped


def idempotent[F: Callable[..., Any]](view: F) -> F:
    """Make a ninja write operation honour the ``Idempotency-Key`` header."""

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        key = request.headers.get(HEADER)
        if key is None:
            return view(request, *args, **kwargs)
        key = key.strip()
        if not key or len(key) > MAX_KEY_LENGTH or not key.isprintable():
            return _refusal(
                422,
                "invalid",
                _("Some of the data is not valid."),
                _("The Idempotency-Key must be 1 to 255 printable characters."),
            )
        stack = contextlib.ExitStack()
        stack.enter_context(transaction.atomic())
        try:
            answered = _begin(request, key)
        except BaseException:
            stack.__exit__(*sys.exc_info())
            raise
        if answered is not None:
            stack.close()  # a replay or a refusal wrote nothing: commit the takeover, if any, and answer
            return answered
        setattr(request, _TRANSACTION, stack)
        return view(request, *args, **kwargs)

    # ninja reads the parameters from the signature and resolves string annotations in the function's
    # module globals; this wrapper lives here, so hand it the view's signature already resolved.
    wrapper.__signature__ = inspect.signature(view, eval_str=True)  # type: ignore[attr-defined]
    return cast(F, decorate_view(_store_response)(wrapper))


def idempotency_records_purge(*, older_than: dt.timedelta = RETENTION) -> int:
    """Forget keys older than the retention period; return how many were deleted (run it daily)."""
    deleted, _by_model = IdempotencyRecord.objects.filter(created_at__lt=clock.now() - older_than).delete()
    return deleted
