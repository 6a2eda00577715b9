"""Cross-cutting records: the append-only timeline, the outbox, policies and calendars."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext_lazy as _

from marketdesk.core import clock
from marketdesk.core.errors import ImmutableRecord


class Audience(models.TextChoices):
    PUBLIC = "public", _("Everyone involved")
    PARTIES = "parties", _("Buyer, seller and operators")
    INTERNAL = "internal", _("Operators only")


class TimelineQuerySet(models.QuerySet["TimelineEvent"]):
    def update(self, **kwargs: Any) -> int:
        raise ImmutableRecord()

    def delete(self) -> tuple[int, dict[str, int]]:
        raise ImmutableRecord()

    def for_audiences(self, audiences: list[str]) -> TimelineQuerySet:
        return self.filter(audience__in=audiences)


class TimelineEvent(models.Model):
    """One past-tense fact about a subject; never updated, never deleted."""

    # No index of its own: both composite indexes below lead with it; one more would be written on every event.
    subject_type = models.ForeignKey(
        ContentType, on_delete=models.PROTECT, related_name="+", verbose_name=_("subject type"), db_index=False
    )
    subject_id = models.BigIntegerField(verbose_name=_("subject id"))
    subject = GenericForeignKey("subject_type", "subject_id")
    event_type = models.CharField(max_length=64, verbose_name=_("event type"))
    actor_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("actor user"),
    )
    actor_role = models.CharField(max_length=16, verbose_name=_("actor role"))
    occurred_at = models.DateTimeField(default=clock.now, verbose_name=_("occurred at"))
    audience = models.CharField(max_length=16, choices=Audience.choices, verbose_name=_("audience"))
    payload = models.JSONField(default=dict, verbose_name=_("payload"))

    objects = TimelineQuerySet.as_manager()

    class Meta:
        verbose_name = _("timeline event")
        verbose_name_plural = _("timeline events")
        ordering = ["occurred_at", "id"]
        indexes = [
            models.Index(fields=["subject_type", "subject_id", "occurred_at"]),
            # The dashboard's rollups find the cases support acted on in an hour (or a day) by this one.
            models.Index(fields=["subject_type", "occurred_at"], name="timeline_type_recent_idx"),
        ]
        constraints = [
            models.CheckConstraint(condition=models.Q(audience__in=Audience.values), name="timeline_audience_valid")
        ]

    def __str__(self) -> str:
        return f"{self.event_type} @ {self.occurred_at:%Y-%m-%d %H:%M}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise ImmutableRecord()
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise ImmutableRecord()


class OutboxMessage(models.Model):
    """A side effect written with the change that caused it, delivered after commit."""

    topic = models.CharField(max_length=64, verbose_name=_("topic"))
    payload = models.JSONField(default=dict, verbose_name=_("payload"))
    dedupe_key = models.CharField(max_length=200, unique=True, null=True, blank=True, verbose_name=_("dedupe key"))
    created_at = models.DateTimeField(default=clock.now, verbose_name=_("created at"))
    available_at = models.DateTimeField(default=clock.now, verbose_name=_("available at"))
    delivered_at = models.DateTimeField(null=True, blank=True, verbose_name=_("delivered at"))
    attempts = models.PositiveIntegerField(default=0, verbose_name=_("attempts"))
    last_error = models.TextField(blank=True, verbose_name=_("last error"))
    # The worker sending it now, and until when others keep off (core.outbox: claim, send, record).
    claim_token = models.CharField(max_length=32, blank=True, verbose_name=_("claim token"))
    claimed_until = models.DateTimeField(null=True, blank=True, verbose_name=_("claimed until"))

    class Meta:
        verbose_name = _("outbox message")
        verbose_name_plural = _("outbox messages")
        indexes = [models.Index(fields=["delivered_at", "available_at"], name="outbox_pending_idx")]

    def __str__(self) -> str:
        return f"{self.topic}#{self.pk}"


class PolicyVersion(models.Model):
    """One immutable version of every default rule; the newest is in force."""

    version = models.PositiveIntegerField(unique=True, verbose_name=_("version"))
    values = models.JSONField(verbose_name=_("values"))
    note = models.CharField(max_length=300, blank=True, verbose_name=_("note"))
    created_at = models.DateTimeField(default=clock.now, verbose_name=_("created at"))
    # None: in force from publication (every version stored before effective dates existed).
    effective_at = models.DateTimeField(_("in force from"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("created by"),
    )

    class Meta:
        ordering = ["-version"]
        verbose_name = _("policy version")
        verbose_name_plural = _("policy versions")

    def __str__(self) -> str:
        return f"v{self.version}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise ImmutableRecord(_("A policy version is never rewritten; publish a new version instead."))
        super().save(*args, **kwargs)


class BusinessCalendar(models.Model):
    """Working hours, weekend and public holidays of one country (or region)."""

    code = models.SlugField(max_length=32, unique=True, verbose_name=_("code"))
    name = models.CharField(max_length=100, verbose_name=_("name"))
    country = models.CharField(
        max_length=2, help_text=_("ISO 3166 country code for public holidays."), verbose_name=_("country")
    )
    subdivision = models.CharField(max_length=10, blank=True, verbose_name=_("subdivision"))
    timezone = models.CharField(max_length=64, default="UTC", verbose_name=_("timezone"))
    opens_at = models.TimeField(default="09:00", verbose_name=_("opens at"))
    closes_at = models.TimeField(default="18:00", verbose_name=_("closes at"))
    weekend_days = models.JSONField(
        default=list, help_text=_("Weekday numbers, Monday is 0."), verbose_name=_("weekend days")
    )
    extra_closed_days = models.JSONField(
        default=list, blank=True, help_text=_("ISO dates closed besides holidays."), verbose_name=_("extra closed days")
    )

    class Meta:
        verbose_name = _("business calendar")
        verbose_name_plural = _("business calendars")
        constraints = [
            models.CheckConstraint(condition=models.Q(opens_at__lt=models.F("closes_at")), name="calendar_hours_order")
        ]

    def __str__(self) -> str:
        return self.name


class PeriodicRun(models.Model):
    """When a periodic task was last enqueued (see core.periodic)."""

    name = models.CharField(max_length=200, unique=True)
    last_enqueued_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return self.name
