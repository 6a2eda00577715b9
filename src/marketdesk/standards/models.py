"""Seller standards: a daily snapshot of each shop's metrics, the jobs that compute them, enforcements."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from marketdesk.core import clock
from marketdesk.core.actors import Role
from marketdesk.core.appeals import AppealableMeasure
from marketdesk.core.transitions import Move, StatefulModel, TransitionTable
from marketdesk.standards.states import ENFORCEMENT_TRANSITIONS, EnforcementKind, EnforcementStatus


class Level(models.TextChoices):
    TOP_RATED = "top_rated", _("Top rated")
    STANDARD = "standard", _("Standard")
    BELOW_STANDARD = "below_standard", _("Below standard")


class StandardsSnapshot(models.Model):
    """One shop's standing on one day: each metric as numerator and denominator, and the level.

    Counts, not rates, are stored: a rate is computed exactly (integer basis points) when read,
    and the orders behind each count can be listed again by the same definitions (``metrics.py``).
    """

    shop = models.ForeignKey(
        "orders.Shop", on_delete=models.CASCADE, related_name="standards_snapshots", verbose_name=_("shop")
    )
    day = models.DateField(_("day"))
    computed_at = models.DateTimeField(_("computed"), default=clock.now)
    window_start = models.DateTimeField(verbose_name=_("window start"))
    window_end = models.DateTimeField(verbose_name=_("window end"))
    policy_version = models.PositiveIntegerField(_("policy version"))
    orders = models.PositiveIntegerField(_("orders in the window"), default=0)
    defects = models.PositiveIntegerField(default=0, verbose_name=_("defects"))
    unresolved_cases = models.PositiveIntegerField(default=0, verbose_name=_("unresolved cases"))
    shipments_due = models.PositiveIntegerField(default=0, verbose_name=_("shipments due"))
    shipped_late = models.PositiveIntegerField(default=0, verbose_name=_("shipped late"))
    tracking_due = models.PositiveIntegerField(default=0, verbose_name=_("tracking due"))
    tracking_valid = models.PositiveIntegerField(default=0, verbose_name=_("tracking valid"))
    contacts = models.PositiveIntegerField(default=0, verbose_name=_("contacts"))
    replied_in_time = models.PositiveIntegerField(default=0, verbose_name=_("replied in time"))
    level = models.CharField(_("level"), max_length=16, choices=Level.choices)

    class Meta:
        verbose_name = _("standards snapshot")
        verbose_name_plural = _("standards snapshots")
        ordering = ["shop", "-day"]
        constraints = [
            models.UniqueConstraint(fields=["shop", "day"], name="standards_snapshot_once_per_day"),
            models.CheckConstraint(condition=models.Q(level__in=Level.values), name="standards_level_valid"),
        ]
        indexes = [models.Index(fields=["day", "level"], name="standards_day_level_idx")]

    def __str__(self) -> str:
        return f"{self.shop_id} @ {self.day}: {self.level}"


class JobScope(models.TextChoices):
    ALL = "all", _("Every seller")
    SHOP = "shop", _("One seller")


class JobStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


# Only the worker moves a job; the job row (progress, error) is its own record.
JOB_TRANSITIONS = TransitionTable(
    states=JobStatus,
    moves=(
        Move(JobStatus.QUEUED, JobStatus.RUNNING, [Role.SYSTEM], None),
        Move(JobStatus.FAILED, JobStatus.RUNNING, [Role.SYSTEM], None),  # the task is tried again
        Move(JobStatus.RUNNING, JobStatus.DONE, [Role.SYSTEM], None),
        Move(JobStatus.RUNNING, JobStatus.FAILED, [Role.SYSTEM], None),
    ),
)


class StandardsJob(StatefulModel):
    """One run of the standards computation, with its progress (sellers done of total)."""

    scope = models.CharField(max_length=8, choices=JobScope.choices, verbose_name=_("scope"))
    shop = models.ForeignKey(
        "orders.Shop", null=True, blank=True, on_delete=models.CASCADE, related_name="+", verbose_name=_("shop")
    )
    marketplace = models.ForeignKey(
        "orders.Marketplace", null=True, blank=True, on_delete=models.CASCADE, verbose_name=_("marketplace")
    )
    TRANSITIONS = JOB_TRANSITIONS
    status = models.CharField(_("status"), max_length=8, choices=JobStatus.choices, default=JobStatus.QUEUED)
    day = models.DateField(_("day"))
    total = models.PositiveIntegerField(default=0, verbose_name=_("total"))
    done = models.PositiveIntegerField(default=0, verbose_name=_("done"))
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("requested by"),
    )
    created_at = models.DateTimeField(default=clock.now, verbose_name=_("created at"))
    started_at = models.DateTimeField(null=True, blank=True, verbose_name=_("started at"))
    finished_at = models.DateTimeField(null=True, blank=True, verbose_name=_("finished at"))
    error = models.TextField(blank=True, verbose_name=_("error"))

    class Meta:
        verbose_name = _("standards job")
        verbose_name_plural = _("standards jobs")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(status__in=JobStatus.values), name="standards_job_status_valid"),
            models.CheckConstraint(
                condition=models.Q(scope=JobScope.ALL) | models.Q(shop__isnull=False), name="standards_job_shop_given"
            ),
        ]

    def __str__(self) -> str:
        return f"standards job {self.pk} ({self.scope}, {self.done}/{self.total})"

    @property
    def percent(self) -> int:
        return 100 if self.total == 0 and self.status == JobStatus.DONE else (100 * self.done // max(self.total, 1))


class Enforcement(AppealableMeasure):
    """A warning, restriction or suspension of a shop: its reason, notice, effective date and appeal."""

    TRANSITIONS = ENFORCEMENT_TRANSITIONS

    shop = models.ForeignKey(
        "orders.Shop", on_delete=models.PROTECT, related_name="enforcements", verbose_name=_("shop")
    )
    kind = models.CharField(_("measure"), max_length=16, choices=EnforcementKind.choices)
    status = models.CharField(
        _("status"), max_length=16, choices=EnforcementStatus.choices, default=EnforcementStatus.PROPOSED
    )
    reason = models.TextField(_("reason"))
    snapshot = models.ForeignKey(
        StandardsSnapshot,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="proposals",
        verbose_name=_("snapshot"),
    )
    proposed_at = models.DateTimeField(_("proposed"), default=clock.now)
    effective_at = models.DateTimeField(_("effective from"), null=True, blank=True)
    applied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("applied by"),
    )
    applied_at = models.DateTimeField(_("applied"), null=True, blank=True)
    updated_at = models.DateTimeField(default=clock.now, verbose_name=_("updated at"))

    class Meta:
        verbose_name = _("enforcement")
        verbose_name_plural = _("enforcements")
        ordering = ["-proposed_at", "-id"]
        permissions = [("apply_enforcement", _("Can apply, lift and decide appeals of seller enforcements"))]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=EnforcementStatus.values), name="enforcement_status_valid"
            ),
            models.CheckConstraint(condition=models.Q(kind__in=EnforcementKind.values), name="enforcement_kind_valid"),
            # The nightly run proposes at most one measure per shop until an operator answers it.
            models.UniqueConstraint(
                fields=["shop"], condition=models.Q(status=EnforcementStatus.PROPOSED), name="enforcement_one_proposal"
            ),
        ]
        indexes = [models.Index(fields=["shop", "status"], name="enforcement_shop_status_idx")]

    def __str__(self) -> str:
        return f"{self.kind} of shop {self.shop_id} ({self.status})"
