"""In-app and email notifications: write them with the change, email them after commit, or in a daily digest.

``notify`` runs inside the caller's transaction: the bell rows and the outbox rows
for email commit (or roll back) with the change. The email handlers follow the
outbox's claim → send → record steps (``core.outbox``): they read and talk SMTP
outside any transaction, in the recipient's language, and return the write that
marks the notifications emailed, which the outbox runs in its short record
transaction. A failing SMTP server makes the outbox retry later, so mail is
delayed, never lost; two workers never send one mail twice. Only a worker that
dies between the SMTP send and the record sends a mail again once its claim
expires, with the same ``Message-ID``, on which mail software de-duplicates.
"""

from __future__ import annotations

import datetime as dt
import urllib.parse
from collections.abc import Iterable
from functools import partial
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import QuerySet
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _

from marketdesk.accounts.models import User
from marketdesk.core import clock
from marketdesk.core.actors import Actor
from marketdesk.core.errors import PermissionDenied
from marketdesk.core.models import OutboxMessage
from marketdesk.core.outbox import Record, outbox_assert_outside_transactions, outbox_handler, outbox_put
from marketdesk.notifications.kinds import KINDS, notification_text
from marketdesk.notifications.models import EmailMode, Notification, NotificationPreference

EMAIL_TOPIC = "notification.email"
DIGEST_TOPIC = "notification.digest"


def _preferences(user_ids: list[int], kind: str) -> dict[int, NotificationPreference]:
    return {p.user_id: p for p in NotificationPreference.objects.filter(user_id__in=user_ids, kind=kind)}


def notify(
    *, user_ids: Iterable[int], kind: str, data: dict[str, Any], url: str = "", message_body: str = ""
) -> list[Notification]:
    """Tell these people about something (in the caller's transaction), as each one's preferences say."""
    if kind not in KINDS:
        raise ValueError(f"unknown notification kind {kind!r}")
    ids = sorted(set(user_ids))
    prefs = _preferences(ids, kind)
    now = clock.now()
    created = []
    for user_id in ids:
        pref = prefs.get(user_id)
        in_app = pref.in_app if pref else True
        email = pref.email if pref else EmailMode.INSTANT
        if not in_app and email == EmailMode.OFF:
            continue
        note = Notification.objects.create(
            user_id=user_id,
            kind=kind,
            data=data,
            url=url,
            message_body=message_body,
            created_at=now,
            # Left out of the bell, it is still kept for the email (digest) and marked read at once.
            read_at=None if in_app else now,
        )
        created.append(note)
        if email == EmailMode.INSTANT:
            outbox_put(topic=EMAIL_TOPIC, payload={"notification_id": note.pk}, dedupe_key=f"notification-{note.pk}")
    return created


def _absolute(url: str) -> str:
    return settings.MARKETDESK_BASE_URL.rstrip("/") + url if url.startswith("/") else url


def _message_id(what: str) -> str:
    """Return a Message-ID that stays the same when a mail is sent again, so mail software shows it once."""
    host = urllib.parse.urlsplit(settings.MARKETDESK_BASE_URL).hostname or "marketdesk.localhost"
    return f"<marketdesk.{what}@{host}>"


def _send(user: User, *, subject: str, template: str, context: dict[str, Any], message_id: str) -> None:
    outbox_assert_outside_transactions()  # an SMTP conversation may take seconds: never while holding locks
    context = {"user": user, "base_url": settings.MARKETDESK_BASE_URL, **context}
    text = render_to_string(f"notifications/{template}.txt", context)
    html = render_to_string(f"notifications/{template}.html", context)
    mail = EmailMultiAlternatives(subject=subject, body=text, to=[user.email], headers={"Message-ID": message_id})
    mail.attach_alternative(html, "text/html")
    mail.send()


def _mark_emailed(notification_ids: list[int]) -> None:
    Notification.objects.filter(pk__in=notification_ids, emailed_at__isnull=True).update(emailed_at=clock.now())


@outbox_handler(EMAIL_TOPIC, queue="email")
def _email_one(message: OutboxMessage) -> Record | None:
    """Mail one notification (outside any transaction); return the write that marks it emailed."""
    note = Notification.objects.select_related("user").filter(pk=message.payload["notification_id"]).first()
    if note is None or note.emailed_at is not None or not note.user.email or not note.user.is_active:
        return None
    with translation.override(note.user.language or settings.LANGUAGE_CODE):
        line = notification_text(note.kind, note.data)
        _send(
            note.user,
            subject=line,
            template="email_notification",
            context={"line": line, "link": _absolute(note.url), "message_body": note.message_body},
            message_id=_message_id(f"notification.{note.pk}"),
        )
    return partial(_mark_emailed, [note.pk])


def notifications_digest_send(*, now: dt.datetime | None = None) -> int:
    """Queue one digest email per person with digest notifications not yet emailed; return how many."""
    now = now or clock.now()
    digest_kinds = NotificationPreference.objects.filter(email=EmailMode.DIGEST).values_list("user_id", "kind")
    by_user: dict[int, list[str]] = {}
    for user_id, kind in digest_kinds:
        by_user.setdefault(user_id, []).append(kind)
    queued = 0
    for user_id, kinds in by_user.items():
        pending = Notification.objects.filter(user_id=user_id, kind__in=kinds, emailed_at__isnull=True)
        if pending.exists():
            with transaction.atomic():
                outbox_put(
                    topic=DIGEST_TOPIC,
                    payload={"user_id": user_id, "until": now.isoformat()},
                    dedupe_key=f"digest-{user_id}-{now.date().isoformat()}",
                )
            queued += 1
    return queued


@outbox_handler(DIGEST_TOPIC, queue="email")
def _email_digest(message: OutboxMessage) -> Record | None:
    """Mail one person's daily summary (outside any transaction); return the write that marks its lines emailed."""
    user = User.objects.filter(pk=message.payload["user_id"], is_active=True).first()
    if user is None or not user.email:
        return None
    until = dt.datetime.fromisoformat(message.payload["until"])
    kinds = list(
        NotificationPreference.objects.filter(user=user, email=EmailMode.DIGEST).values_list("kind", flat=True)
    )
    notes = list(
        Notification.objects.filter(user=user, kind__in=kinds, emailed_at__isnull=True, created_at__lte=until).order_by(
            "created_at", "id"
        )
    )
    if not notes:
        return None
    with translation.override(user.language or settings.LANGUAGE_CODE):
        lines = [(notification_text(n.kind, n.data), _absolute(n.url)) for n in notes]
        _send(
            user,
            subject=_("Your daily summary from marketdesk"),
            template="email_digest",
            context={"lines": lines},
            message_id=_message_id(f"digest.{message.pk}"),
        )
    return partial(_mark_emailed, [n.pk for n in notes])


# Reading and preferences


def notifications_for_actor(actor: Actor) -> QuerySet[Notification]:
    """Return the signed-in person's own notifications, newest first (nobody reads another's)."""
    if actor.user is None:
        return Notification.objects.none()
    return Notification.objects.filter(user=actor.user)


def notifications_unread_count(actor: Actor) -> int:
    return notifications_for_actor(actor).filter(read_at__isnull=True).count()


def notifications_mark_read(*, actor: Actor, notification_id: int | None = None) -> int:
    """Mark one of the actor's notifications read, or all of them; return how many changed."""
    if actor.user is None:
        raise PermissionDenied()
    qs = notifications_for_actor(actor).filter(read_at__isnull=True)
    if notification_id is not None:
        qs = qs.filter(pk=notification_id)
    return qs.update(read_at=clock.now())


def notification_preferences_for_actor(actor: Actor) -> dict[str, NotificationPreference]:
    """Return the actor's preference for every kind (defaults for kinds never set)."""
    if actor.user is None:
        return {}
    saved = {p.kind: p for p in NotificationPreference.objects.filter(user=actor.user)}
    return {code: saved.get(code) or NotificationPreference(user=actor.user, kind=code) for code in KINDS}


def notification_preferences_save(*, actor: Actor, choices: dict[str, tuple[bool, str]]) -> None:
    """Save the actor's choices: kind → (in the app, email mode)."""
    if actor.user is None:
        raise PermissionDenied()
    with transaction.atomic():
        for kind, (in_app, email) in choices.items():
            if kind not in KINDS or email not in EmailMode.values:
                continue
            NotificationPreference.objects.update_or_create(
                user=actor.user, kind=kind, defaults={"in_app": in_app, "email": email}
            )
