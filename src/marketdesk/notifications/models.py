"""Outgoing webhooks: a marketplace's endpoints, one delivery per (endpoint, event), each attempt logged."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from marketdesk.core import clock
from marketdesk.core.actors import Role
from marketdesk.core.transitions import Move, StatefulModel, TransitionTable


class WebhookEndpoint(models.Model):
    """An address of the marketplace that receives signed events (Standard Webhooks)."""

    marketplace = models.ForeignKey(
        "orders.Marketplace", on_delete=models.PROTECT, related_name="webhook_endpoints", verbose_name=_("marketplace")
    )
    url = models.URLField(_("URL"), max_length=500)
    # Kept in the clear: every delivery is signed with it. Shown to the marketplace only once.
    secret = models.CharField(max_length=100, verbose_name=_("secret"))
    event_types = models.JSONField(_("event types"), default=list, blank=True, help_text=_("Empty means every event."))
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created"), default=clock.now)
    # DELETE through the API hides the endpoint but keeps its delivery log.
    deleted_at = models.DateTimeField(null=True, blank=True, verbose_name=_("deleted at"))

    class Meta:
        ordering = ["id"]
        verbose_name = _("webhook endpoint")
        verbose_name_plural = _("webhook endpoints")

    def __str__(self) -> str:
        return self.url

    def subscribes_to(self, event_type: str) -> bool:
        return not self.event_types or event_type in self.event_types


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    DELIVERED = "delivered", _("Delivered")
    FAILED = "failed", _("Failed")


D = DeliveryStatus
# Who may send a delivery again: the marketplace (API, its settings page), an administrator, the
# platform itself (an unacknowledged refund instruction). The attempts log is the record: no timeline event.
RESENDERS = (Role.MARKETPLACE, Role.ADMIN, Role.SYSTEM)
DELIVERY_TRANSITIONS = TransitionTable(
    states=DeliveryStatus,
    moves=(
        Move(D.PENDING, D.DELIVERED, [Role.SYSTEM], None),
        Move(D.PENDING, D.FAILED, [Role.SYSTEM], None),
        Move(D.PENDING, D.PENDING, RESENDERS, None),  # a new round while one is still being tried
        Move(D.DELIVERED, D.PENDING, RESENDERS, None),
        Move(D.FAILED, D.PENDING, RESENDERS, None),
    ),
)


class WebhookDelivery(StatefulModel):
    """One event for one endpoint: sent until a 2xx, with a stable id the receiver de-duplicates on."""

    endpoint = models.ForeignKey(
        WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries", verbose_name=_("endpoint")
    )
    event_id = models.CharField(_("event id"), max_length=100)
    event_type = models.CharField(_("event type"), max_length=64)
    payload = models.JSONField(verbose_name=_("payload"))
    TRANSITIONS = DELIVERY_TRANSITIONS
    status = models.CharField(
        _("status"), max_length=16, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    last_status_code = models.PositiveIntegerField(_("last status code"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    created_at = models.DateTimeField(_("created"), default=clock.now)
    delivered_at = models.DateTimeField(_("delivered"), null=True, blank=True)
    # Each (re)send round gets its own outbox message; the round number keeps their dedupe keys apart.
    round = models.PositiveIntegerField(default=1, verbose_name=_("round"))
    round_attempts = models.PositiveIntegerField(default=0, verbose_name=_("round attempts"))

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        constraints = [
            models.UniqueConstraint(fields=["endpoint", "event_id"], name="webhook_delivery_event_unique"),
            models.CheckConstraint(condition=models.Q(status__in=DeliveryStatus.values), name="webhook_status_valid"),
        ]
        indexes = [models.Index(fields=["endpoint", "-created_at", "-id"], name="webhook_delivery_recent_idx")]

    def __str__(self) -> str:
        return f"{self.event_type} {self.event_id} → {self.endpoint_id}"


class AttemptOutcome(models.TextChoices):
    # Written when the worker claims the attempt, before it sends: a send is never left unlogged.
    SENDING = "sending", _("Being sent")
    DELIVERED = "delivered", _("Accepted by the receiver")
    REFUSED = "refused", _("Refused by the receiver")
    NO_ANSWER = "no_answer", _("No answer")
    # The worker stopped after claiming it; the request may or may not have arrived.
    UNKNOWN = "unknown", _("Outcome unknown (the worker stopped)")


class WebhookAttempt(models.Model):
    """One HTTP request of a delivery and what came of it."""

    delivery = models.ForeignKey(WebhookDelivery, on_delete=models.CASCADE, related_name="attempt_log")
    attempted_at = models.DateTimeField(_("attempted"), default=clock.now)
    outcome = models.CharField(
        _("outcome"), max_length=16, choices=AttemptOutcome.choices, default=AttemptOutcome.SENDING
    )
    status_code = models.PositiveIntegerField(_("status code"), null=True, blank=True)
    error = models.TextField(_("error"), blank=True)
    duration_ms = models.PositiveIntegerField(default=0)
    # The outbox message whose claim made this attempt: its next claim settles an attempt left "sending".
    outbox_message_id = models.PositiveBigIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("webhook attempt")
        verbose_name_plural = _("webhook attempts")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(outcome__in=AttemptOutcome.values), name="webhook_attempt_outcome_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.delivery_id} @ {self.attempted_at:%Y-%m-%d %H:%M:%S}: {self.status_code or self.error}"


class Notification(models.Model):
    """Something a person should know about, shown under the bell and (by preference) emailed."""

    user = models.ForeignKey("accounts.User", on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(_("kind"), max_length=40)
    # Worded when shown, in the reader's language, from the kind and these parameters.
    data = models.JSONField(default=dict, blank=True)
    url = models.CharField(max_length=300, blank=True)
    # The text of the message that caused it, only ever for that message's parties (never in the data).
    message_body = models.TextField(blank=True)
    created_at = models.DateTimeField(default=clock.now)
    read_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "read_at", "-created_at"], name="notification_user_unread_idx")]

    def __str__(self) -> str:
        return f"{self.kind} for {self.user_id}"


class EmailMode(models.TextChoices):
    INSTANT = "instant", _("At once")
    DIGEST = "digest", _("In a daily digest")
    OFF = "off", _("Never")


class NotificationPreference(models.Model):
    """One person's choice for one kind of notification: in the app or not, by email how."""

    user = models.ForeignKey("accounts.User", on_delete=models.CASCADE, related_name="notification_preferences")
    kind = models.CharField(max_length=40)
    in_app = models.BooleanField(_("in the app"), default=True)
    email = models.CharField(_("by email"), max_length=8, choices=EmailMode.choices, default=EmailMode.INSTANT)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "kind"], name="notification_preference_once")]

    def __str__(self) -> str:
        return f"{self.user_id} {self.kind}: {self.email}"
