"""The operator console's records: the audit trail, teams and skills, macros, satisfaction surveys."""

from __future__ import annotations

import re
from string import Formatter
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils.translation import gettext_lazy as _

from marketdesk.core import clock
from marketdesk.core.errors import ImmutableRecord

# Audit trail


class AuditQuerySet(models.QuerySet["AuditEntry"]):
    def update(self, **kwargs: Any) -> int:
        raise ImmutableRecord(_("The audit trail is permanent: entries are never changed or deleted."))

    def delete(self) -> tuple[int, dict[str, int]]:
        raise ImmutableRecord(_("The audit trail is permanent: entries are never changed or deleted."))


class AuditEntry(models.Model):
    """One operator's or administrator's action (or view of personal data): never updated, never deleted."""

    actor_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("actor user"),
    )
    actor_label = models.CharField(_("who"), max_length=150)
    actor_role = models.CharField(_("role"), max_length=16)
    # Operators read their own marketplace's trail; None is installation-wide (system, superusers).
    marketplace_id = models.BigIntegerField(null=True, blank=True, verbose_name=_("marketplace id"))
    occurred_at = models.DateTimeField(_("when"), default=clock.now)
    action = models.CharField(_("action"), max_length=64)
    object_type = models.CharField(_("object type"), max_length=64, blank=True)
    object_id = models.CharField(_("object"), max_length=64, blank=True)
    object_label = models.CharField(max_length=200, blank=True, verbose_name=_("object label"))
    before = models.JSONField(_("before"), null=True, blank=True, encoder=DjangoJSONEncoder)
    after = models.JSONField(_("after"), null=True, blank=True, encoder=DjangoJSONEncoder)
    ip = models.GenericIPAddressField(_("IP address"), null=True, blank=True)

    objects = AuditQuerySet.as_manager()

    class Meta:
        ordering = ["-occurred_at", "-id"]
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit trail")
        indexes = [
            models.Index(fields=["marketplace_id", "-occurred_at"], name="audit_recent_idx"),
            models.Index(fields=["object_type", "object_id"], name="audit_object_idx"),
            models.Index(fields=["actor_user", "-occurred_at"], name="audit_actor_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.action} by {self.actor_label} @ {self.occurred_at:%Y-%m-%d %H:%M}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise ImmutableRecord(_("The audit trail is permanent: entries are never changed or deleted."))
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise ImmutableRecord(_("The audit trail is permanent: entries are never changed or deleted."))


# Assignment


class Team(models.Model):
    """A group of operators that automatic assignment shares cases among."""

    marketplace = models.ForeignKey(
        "orders.Marketplace", on_delete=models.PROTECT, related_name="teams", verbose_name=_("marketplace")
    )
    name = models.CharField(_("name"), max_length=100)
    auto_assign = models.BooleanField(_("assign new escalations automatically"), default=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("team")
        verbose_name_plural = _("teams")
        constraints = [models.UniqueConstraint(fields=["marketplace", "name"], name="team_name_unique")]

    def __str__(self) -> str:
        return self.name


class OperatorProfile(models.Model):
    """An operator's team, skills (languages, case categories) and how many open cases they hold at most."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="operator_profile", verbose_name=_("user")
    )
    team = models.ForeignKey(
        Team, null=True, blank=True, on_delete=models.SET_NULL, related_name="members", verbose_name=_("team")
    )
    languages = models.JSONField(_("languages"), default=list, blank=True, help_text=_("Empty: every language."))
    categories = models.JSONField(_("case categories"), default=list, blank=True, help_text=_("Empty: every one."))
    cap = models.PositiveIntegerField(_("open cases at most"), default=20)
    available = models.BooleanField(_("takes new cases"), default=True)
    last_assigned_at = models.DateTimeField(null=True, blank=True, verbose_name=_("last assigned at"))

    class Meta:
        verbose_name = _("operator profile")
        verbose_name_plural = _("operator profiles")

    def __str__(self) -> str:
        return str(self.user)

    def handles(self, *, language: str, category: str) -> bool:
        """Return whether the operator's skills cover a case in this language and category."""
        return (not self.languages or language in self.languages) and (
            not self.categories or category in self.categories
        )


class SavedQueueView(models.Model):
    """An operator's own named view of the queue: a built-in view narrowed by filters, one click away."""

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="saved_queue_views")
    name = models.CharField(_("name"), max_length=60)
    # The filters as the queue's query string (QueueFilters.to_query()), so the view opens as a link.
    query = models.CharField(_("filters"), max_length=300)
    created_at = models.DateTimeField(default=clock.now)

    class Meta:
        verbose_name = _("saved queue view")
        verbose_name_plural = _("saved queue views")
        constraints = [models.UniqueConstraint(fields=["owner", "name"], name="saved_queue_view_name_once")]

    def __str__(self) -> str:
        return self.name


# Macros

MACRO_PLACEHOLDERS = ("buyer_name", "order", "deadline", "amount")
_FIELD_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def macro_placeholders_check(body: str) -> None:
    """Refuse a text with an unknown placeholder or a stray brace (``{{`` writes a brace)."""
    try:
        names = [name for _text, name, _spec, _conv in Formatter().parse(body) if name is not None]
    except ValueError as exc:
        raise ValidationError(_("A brace is not closed; write {{ or }} for a brace itself."), code="bad_brace") from exc
    unknown = sorted({n for n in names if n not in MACRO_PLACEHOLDERS})
    if "" in names or any(not _FIELD_NAME.match(n) for n in names if n):
        raise ValidationError(_("An empty placeholder {} is not allowed."), code="bad_placeholder")
    if unknown:
        raise ValidationError(
            _("Unknown placeholder %(names)s. Use only %(known)s.")
            % {
                "names": ", ".join("{" + n + "}" for n in unknown),
                "known": ", ".join("{" + n + "}" for n in MACRO_PLACEHOLDERS),
            },
            code="unknown_placeholder",
        )


class MacroUse(models.TextChoices):
    REPLY = "reply", _("Replies and questions")
    RATIONALE = "rationale", _("Decision rationales")
    BOTH = "both", _("Both")


class Macro(models.Model):
    """A canned reply in one language with placeholders, counted each time it is inserted."""

    marketplace = models.ForeignKey(
        "orders.Marketplace",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="macros",
        verbose_name=_("marketplace"),
    )
    title = models.CharField(_("title"), max_length=120)
    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES)
    use = models.CharField(_("used in"), max_length=16, choices=MacroUse.choices, default=MacroUse.BOTH)
    body = models.TextField(_("text"))
    active = models.BooleanField(_("active"), default=True)
    # The same macro in another language: a translation points at the text it was translated from.
    translation_of = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="translations",
        verbose_name=_("translation of"),
    )
    usage_count = models.PositiveIntegerField(_("times used"), default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("created by"),
    )
    updated_at = models.DateTimeField(default=clock.now, verbose_name=_("updated at"))

    class Meta:
        ordering = ["language", "title"]
        verbose_name = _("macro")
        verbose_name_plural = _("macros")
        constraints = [
            models.UniqueConstraint(fields=["marketplace", "language", "title"], name="macro_title_unique"),
            models.CheckConstraint(condition=models.Q(use__in=MacroUse.values), name="macro_use_valid"),
            # One translation per language of a macro.
            models.UniqueConstraint(fields=["translation_of", "language"], name="macro_translation_once"),
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.language})"

    def clean(self) -> None:
        try:
            macro_placeholders_check(self.body or "")
        except ValidationError as exc:
            raise ValidationError({"body": exc}) from exc


# Satisfaction


class SatisfactionSurvey(models.Model):
    """One party's rating (1–5) and comment after a case closed; asked once, answered once."""

    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="surveys", verbose_name=_("case"))
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("user")
    )
    party = models.CharField(_("party"), max_length=8)
    # Whom the answer speaks about: the operator who decided (None when buyer and seller settled alone).
    operator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("operator"),
    )
    asked_at = models.DateTimeField(default=clock.now, verbose_name=_("asked at"))
    score = models.PositiveSmallIntegerField(_("rating"), null=True, blank=True)
    comment = models.TextField(_("comment"), blank=True)
    answered_at = models.DateTimeField(null=True, blank=True, verbose_name=_("answered at"))

    class Meta:
        ordering = ["-asked_at", "-id"]
        verbose_name = _("satisfaction survey")
        verbose_name_plural = _("satisfaction surveys")
        constraints = [
            models.UniqueConstraint(fields=["case", "user"], name="survey_once_per_case_and_person"),
            models.CheckConstraint(
                condition=models.Q(score__isnull=True) | models.Q(score__gte=1, score__lte=5), name="survey_score_1_5"
            ),
        ]
        # The dashboard reads today's ratings (the closed days come from its rollups).
        indexes = [models.Index(fields=["answered_at"], name="survey_answered_at_idx")]

    def __str__(self) -> str:
        return f"survey {self.party} on case {self.case_id}"


# The queue's counts


class QueueCount(models.Model):
    """How many cases (or returns) of one marketplace sit in one status with one assignee: the queue's tabs.

    Kept exact by database triggers on the cases and returns tables (migration ``0006_queue_counts``), so
    every write — ``transition()``, an assignment, a bulk insert, a delete — moves its count in the same
    transaction, and reading the tabs costs one query over a few dozen rows however many cases are open.
    ``marketdesk queue_counts_check`` recounts and compares (``--repair`` rewrites them).
    """

    marketplace_id = models.BigIntegerField()
    kind = models.CharField(max_length=8)  # "case" or "return"
    status = models.CharField(max_length=24)
    assignee_id = models.BigIntegerField(default=0)  # 0: nobody (returns are never assigned)
    # 1 when the row's queue deadline runs (``queue_due_at`` before ``NO_DEADLINE``); a case counts as 1.
    running = models.SmallIntegerField(default=1)
    n = models.BigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["marketplace_id", "kind", "status", "assignee_id", "running"], name="queue_count_key"
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.status} @{self.marketplace_id}/{self.assignee_id}: {self.n}"


# The dashboard's rollups


class DashboardRollup(models.Model):
    """One figure of one closed day (``span`` "d") or of a closed month's days (``span`` "m", ``day`` its 1st).

    Written only by ``console.rollups`` (the hourly job and ``marketdesk dashboard_rollups_check``): the
    dashboard sums these rows for the closed days of its period and reads today from the cases (ADR 0019).
    ``metric`` names the figure, ``key`` its bucket (a duration in tenths of an hour, a score, a shop, a
    payer|reason|currency); ``n`` counts and ``total`` sums money in minor units. The first response is
    filed under the day of the escalation it answers.
    """

    marketplace_id = models.BigIntegerField()
    span = models.CharField(max_length=1)
    day = models.DateField()
    case_type = models.CharField(max_length=24)  # "" for a refund without a case
    metric = models.CharField(max_length=8)
    key = models.CharField(max_length=200, blank=True)
    n = models.BigIntegerField(default=0)
    total = models.BigIntegerField(default=0)

    class Meta:
        constraints = [
            # Also the read's index: a figure's rows of a marketplace, by span and day.
            models.UniqueConstraint(
                fields=["marketplace_id", "metric", "span", "day", "case_type", "key"], name="dashboard_rollup_key"
            )
        ]
        # The page's read: one case type (or "*", all of them) of a marketplace, by figure, span and day.
        indexes = [
            models.Index(fields=["marketplace_id", "case_type", "metric", "span", "day"], name="dashboard_rollup_read")
        ]

    def __str__(self) -> str:
        return f"{self.metric}[{self.key}] {self.day} {self.case_type} @{self.marketplace_id}: {self.n}"


class DashboardTopShop(models.Model):
    """Cases opened per shop over the closed days of a dashboard period that ends on the rollup's mark.

    ``days`` is the period (7, 30, 90, 365): the row counts the ``days - 1`` closed days through
    ``DashboardRollupMark.rolled_through``, exactly what the period holds before today when the mark is yesterday.
    ``case_type`` "*" counts every case type. Rewritten by ``console.rollups`` whenever the mark moves, so the
    dashboard's "top sellers" is an index range read with a limit, whatever the number of shops (ADR 0019).
    """

    marketplace_id = models.BigIntegerField()
    days = models.PositiveSmallIntegerField()
    case_type = models.CharField(max_length=24)
    shop_id = models.BigIntegerField()
    n = models.BigIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["marketplace_id", "days", "case_type", "shop_id"], name="dashboard_top_shop_key"
            )
        ]
        # The read: a marketplace's period and case type, most cases first.
        indexes = [models.Index(fields=["marketplace_id", "days", "case_type", "-n"], name="dashboard_top_shop_n")]

    def __str__(self) -> str:
        return f"shop {self.shop_id} {self.days}d {self.case_type} @{self.marketplace_id}: {self.n}"


class DashboardRollupMark(models.Model):
    """The last day whose figures are in ``DashboardRollup`` (one row; locked while the job rolls forward)."""

    rolled_through = models.DateField(null=True, blank=True)
    time_zone = models.CharField(max_length=64, blank=True)

    def __str__(self) -> str:
        return f"rolled through {self.rolled_through} ({self.time_zone})"
