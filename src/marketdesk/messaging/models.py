"""Buyer–seller conversations: one thread per order, its messages, who read what, sellers' quick replies."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from marketdesk.core import clock


class Owes(models.TextChoices):
    """Who owes the next reply in a thread."""

    NOBODY = "", _("Nobody")
    SELLER = "seller", _("The seller")
    BUYER = "buyer", _("The buyer")


class Thread(models.Model):
    """The one conversation between an order's buyer and its shop; operators join when a case escalates."""

    order = models.OneToOneField("orders.Order", on_delete=models.PROTECT, related_name="thread")
    buyer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    shop = models.ForeignKey("orders.Shop", on_delete=models.PROTECT, related_name="threads")
    created_at = models.DateTimeField(default=clock.now)
    last_message_at = models.DateTimeField(null=True, blank=True)
    operators_joined_at = models.DateTimeField(_("support joined"), null=True, blank=True)
    reply_owed_by = models.CharField(max_length=8, choices=Owes.choices, blank=True, default=Owes.NOBODY)
    reply_owed_since = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["shop", "reply_owed_by", "reply_owed_since"], name="thread_shop_owed_idx"),
            models.Index(fields=["buyer", "-last_message_at"], name="thread_buyer_recent_idx"),
        ]

    def __str__(self) -> str:
        return f"thread of order {self.order_id}"


class MessageKind(models.TextChoices):
    TEXT = "text", _("Message")
    SYSTEM = "system", _("System message")


class Message(models.Model):
    """A message in a thread: a person's text, or a system line about the order or its case."""

    thread = models.ForeignKey(Thread, on_delete=models.PROTECT, related_name="messages")
    kind = models.CharField(max_length=8, choices=MessageKind.choices, default=MessageKind.TEXT)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    author_role = models.CharField(max_length=16)
    body = models.TextField(_("message"), blank=True)
    # A system message is stored as its event and parameters and worded in the reader's language.
    event = models.CharField(max_length=64, blank=True)
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=clock.now)
    # The browser's one-time token of the form: a double submit posts once.
    client_token = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["thread", "author", "client_token"],
                condition=~models.Q(client_token=""),
                name="message_once_per_client_token",
            ),
            models.CheckConstraint(condition=models.Q(kind__in=MessageKind.values), name="message_kind_valid"),
        ]
        indexes = [models.Index(fields=["thread", "created_at"], name="message_thread_time_idx")]

    def __str__(self) -> str:
        return f"message {self.pk} in thread {self.thread_id}"


class ThreadRead(models.Model):
    """How far one person has read a thread (read receipts), and how many messages wait unread for them there.

    A party's row (the buyer, each member of the shop) exists from the thread's creation (or from the
    moment their counts are first kept, see ``UnreadCounted``); ``unread`` is the number of messages of
    others after ``last_read_message_id`` the person may see, changed in the same transaction as what
    changes it (a message delivered or taken back, the person reading), so the navigation's badge sums
    the few rows with something unread instead of counting every thread's messages.
    """

    thread = models.ForeignKey(Thread, on_delete=models.CASCADE, related_name="reads")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    last_read_message_id = models.BigIntegerField(default=0)
    read_at = models.DateTimeField(default=clock.now)
    unread = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["thread", "user"], name="thread_read_once_per_user")]
        # The badge reads a person's rows with unread > 0 as a range of this index: a few, whatever
        # their number of threads. (A partial index would need its condition written into the SQL for
        # SQLite's planner to use it; this one serves the bound parameter on both databases.)
        indexes = [models.Index(fields=["user", "unread"], name="thread_read_user_unread_idx")]

    def __str__(self) -> str:
        return f"{self.user_id} read {self.thread_id} to {self.last_read_message_id}"


class UnreadCounted(models.Model):
    """That a person's ``ThreadRead.unread`` counts are kept: a buyer's for all their threads, a seller's for one shop.

    Until then (people before the counts existed, a seller who joined a shop with conversations) the
    count is read live for those threads; the first page the person opens counts them once
    (``unread_counts_ensure``). A seller's mark goes with the membership: one who leaves and joins
    again is counted afresh.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    membership = models.OneToOneField(
        "accounts.ShopMembership", null=True, blank=True, on_delete=models.CASCADE, related_name="unread_counted"
    )
    counted_at = models.DateTimeField(default=clock.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user"], condition=models.Q(membership__isnull=True), name="unread_counted_once_per_buyer"
            )
        ]

    def __str__(self) -> str:
        return f"unread of {self.user_id} counted ({self.membership_id or 'own threads'})"


class QuickReply(models.Model):
    """A seller's saved reply, inserted into the composer with one click."""

    shop = models.ForeignKey("orders.Shop", on_delete=models.CASCADE, related_name="quick_replies")
    title = models.CharField(_("title"), max_length=80)
    # The language the text is written in: the composer offers the buyer's language first.
    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES, default="en")
    body = models.TextField(_("text"))
    usage_count = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=clock.now)

    class Meta:
        ordering = ["-usage_count", "title"]

    def __str__(self) -> str:
        return self.title
