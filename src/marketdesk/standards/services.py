"""Writes of seller standards: computing snapshots (nightly and on demand) and enforcements.

Computing runs in chunks of shops: five grouped queries per chunk
(``metrics.counts_for_shops``), one upsert of the chunk's snapshots, the
proposals for shops below standard, and the job's progress — each chunk in
its own transaction, so the progress page moves and a crash keeps what is done.
Enforcements change only through their transition table, in one transaction
with the shop's enforcement rows locked, and tell the seller on commit.
"""

from __future__ import annotations

import datetime as dt
from functools import partial
from typing import Any

from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from marketdesk.core import clock
from marketdesk.core.actors import Actor, Role
from marketdesk.core.audit import audit_record
from marketdesk.core.errors import Conflict, DomainValidationError, NotFound, PermissionDenied
from marketdesk.core.policies import Policy, policy_current
from marketdesk.core.transitions import transition, transition_bulk
from marketdesk.notifications.inbox import notify
from marketdesk.notifications.webhooks import webhook_event_emit
from marketdesk.orders.models import Shop
from marketdesk.orders.selectors import shop_member_ids
from marketdesk.standards import events
from marketdesk.standards.metrics import COUNT_FIELDS, counts_for_shops, level_for, window_ending
from marketdesk.standards.models import (
    Enforcement,
    JobScope,
    JobStatus,
    Level,
    StandardsJob,
    StandardsSnapshot,
)
from marketdesk.standards.selectors import heaviest_binding
from marketdesk.standards.states import BINDING_STATUSES, EnforcementKind, EnforcementStatus

CHUNK = 500
STAFF = (Role.OPERATOR, Role.ADMIN)
ENFORCE_PERMISSION = "standards.apply_enforcement"
REASON_MAX = 4000
# The measure the standards propose next, by the strongest one already binding (None: nothing binding).
NEXT_MEASURE: dict[str | None, str | None] = {
    None: EnforcementKind.WARNING,
    EnforcementKind.WARNING: EnforcementKind.RESTRICTION,
    EnforcementKind.RESTRICTION: EnforcementKind.SUSPENSION,
    EnforcementKind.SUSPENSION: None,
}


# Computing


def _staff_shops(actor: Actor) -> Any:
    qs = Shop.objects.all()
    if actor.role in STAFF and actor.marketplace_id is not None:
        qs = qs.filter(marketplace_id=actor.marketplace_id)
    return qs


def standards_job_start(*, actor: Actor, shop: Shop | None = None) -> StandardsJob:
    """Queue a computation of today's standards for one shop or (``shop=None``) every shop the actor oversees."""
    if actor.role not in (*STAFF, Role.SYSTEM):
        raise PermissionDenied(_("Only the platform recomputes seller standards."))
    if shop is not None and not _staff_shops(actor).filter(pk=shop.pk).exists():
        raise NotFound()
    with transaction.atomic():
        job = StandardsJob.objects.create(
            scope=JobScope.SHOP if shop is not None else JobScope.ALL,
            shop=shop,
            marketplace_id=actor.marketplace_id if shop is None else shop.marketplace_id,
            day=clock.now().date(),
            requested_by=actor.user,
        )
        if actor.role in STAFF:
            audit_record(actor=actor, action="standards.recompute", obj=shop or job)
        transaction.on_commit(partial(_enqueue_job, job.pk))
    return job


def _enqueue_job(job_id: int) -> None:
    from marketdesk.standards.tasks import run_standards_job

    run_standards_job.enqueue(job_id)


def standards_job_run(job_id: int) -> StandardsJob:
    """Compute the job's snapshots chunk by chunk, keeping its progress (a finished job is left alone)."""
    with transaction.atomic():
        job = StandardsJob.objects.select_for_update().get(pk=job_id)
        if job.status in (JobStatus.DONE, JobStatus.RUNNING):
            return job
        shops = _job_shops(job)
        job.started_at, job.total, job.done = clock.now(), shops.count(), 0
        transition(job, to=JobStatus.RUNNING, actor=Actor.system(), fields=["started_at", "total", "done"])
    policy = policy_current()
    end = clock.now()
    try:
        shop_ids = list(shops.order_by("pk").values_list("pk", flat=True))
        for at in range(0, len(shop_ids), CHUNK):
            chunk = shop_ids[at : at + CHUNK]
            with transaction.atomic():
                _compute_chunk(chunk, day=job.day, end=end, policy=policy)
                StandardsJob.objects.filter(pk=job.pk).update(done=at + len(chunk))
    except Exception as exc:
        transition_bulk(
            StandardsJob.objects.filter(pk=job.pk),
            to=JobStatus.FAILED,
            actor=Actor.system(),
            finished_at=clock.now(),
            error=f"{type(exc).__name__}: {exc}"[:2000],
        )
        raise
    transition_bulk(
        StandardsJob.objects.filter(pk=job.pk), to=JobStatus.DONE, actor=Actor.system(), finished_at=clock.now()
    )
    job.refresh_from_db()
    return job


def _job_shops(job: StandardsJob) -> Any:
    if job.scope == JobScope.SHOP:
        return Shop.objects.filter(pk=job.shop_id or 0)
    if job.marketplace_id is not None:
        return Shop.objects.filter(marketplace_id=job.marketplace_id)
    return Shop.objects.all()


def _compute_chunk(shop_ids: list[int], *, day: dt.date, end: dt.datetime, policy: Policy) -> None:
    window = window_ending(end, policy)
    counts = counts_for_shops(shop_ids, window=window, policy=policy)
    rows = [
        StandardsSnapshot(
            shop_id=shop_id,
            day=day,
            computed_at=clock.now(),
            window_start=window.start,
            window_end=window.end,
            policy_version=policy.version,
            level=level_for(c, policy),
            **c.as_dict(),
        )
        for shop_id, c in counts.items()
    ]
    StandardsSnapshot.objects.bulk_create(
        rows,
        update_conflicts=True,
        unique_fields=["shop", "day"],
        update_fields=["computed_at", "window_start", "window_end", "policy_version", "level", *COUNT_FIELDS],
    )
    below = [r.shop_id for r in rows if r.level == Level.BELOW_STANDARD]
    _proposals_update(shop_ids, below=below, day=day)


def _proposals_update(shop_ids: list[int], *, below: list[int], day: dt.date) -> None:
    """Propose the next measure for shops below standard; dismiss proposals of shops that recovered."""
    system = Actor.system()
    pending = {
        e.shop_id: e
        for e in Enforcement.objects.select_for_update().filter(shop_id__in=shop_ids, status=EnforcementStatus.PROPOSED)
    }
    for shop_id, proposal in pending.items():
        if shop_id not in below:
            transition(proposal, to=EnforcementStatus.DISMISSED, actor=system, payload={"why": "recovered"})
    strongest = {shop_id: measure.kind for shop_id, measure in heaviest_binding(below).items()}
    snapshots = dict(StandardsSnapshot.objects.filter(shop_id__in=below, day=day).values_list("shop_id", "pk"))
    for shop_id in below:
        kind = NEXT_MEASURE[strongest.get(shop_id)]
        if shop_id in pending or kind is None:
            continue
        proposal = Enforcement.objects.create(
            shop_id=shop_id,
            kind=kind,
            reason=str(_("The shop is below the platform's seller standards.")),
            snapshot_id=snapshots.get(shop_id),
        )
        events.enforcement_proposed(
            enforcement=proposal,
            actor=system,
            kind=kind,
            level=Level.BELOW_STANDARD,
            snapshot_id=snapshots.get(shop_id),
        )


def standards_nightly() -> StandardsJob:
    """Compute today's standards of every shop (the periodic task's work)."""
    job = StandardsJob.objects.create(scope=JobScope.ALL, day=clock.now().date())
    return standards_job_run(job.pk)


# Enforcement


def _require_enforcer(actor: Actor) -> None:
    if actor.role not in STAFF or actor.user is None:
        raise NotFound()
    if not actor.user.has_perm(ENFORCE_PERMISSION):
        raise PermissionDenied(_("You do not have the permission to take measures against sellers."))


def _clean_text(value: str, *, field: str, required: bool = True) -> str:
    text = (value or "").strip()
    if "\x00" in text:
        raise DomainValidationError(_("The text contains a character that is not allowed."), field=field)
    if required and not text:
        raise DomainValidationError(_("Write the reason; the seller reads it."), field=field)
    if len(text) > REASON_MAX:
        raise DomainValidationError(
            _("Keep it under %(limit)s characters.") % {"limit": REASON_MAX},
            field=field,
        )
    return text


def _locked_shop_measures(shop: Shop) -> list[Enforcement]:
    """Lock and return the shop's enforcement rows (the fixed lock order: shop first, then its measures)."""
    Shop.objects.select_for_update().get(pk=shop.pk)
    return list(Enforcement.objects.select_for_update().filter(shop=shop).order_by("pk"))


def _snapshot_of(enforcement: Enforcement) -> dict[str, Any]:
    return {
        "kind": enforcement.kind,
        "status": enforcement.status,
        "effective_at": enforcement.effective_at.isoformat() if enforcement.effective_at else None,
    }


def _standing_url() -> str:
    return reverse("standards:seller")


def _tell_marketplace(enforcement: Enforcement, event_type: str) -> None:
    """Send the marketplace the measure (it limits listings or payouts on its side), once per event."""
    shop = enforcement.shop
    webhook_event_emit(
        marketplace_id=shop.marketplace_id,
        event_type=event_type,
        data={
            "enforcement_id": enforcement.pk,
            "shop": shop.external_id,
            "kind": enforcement.kind,
            "status": enforcement.status,
            "reason": enforcement.reason,
            "effective_at": enforcement.effective_at,
            "ended_at": enforcement.ended_at,
        },
        event_id=f"enforcement-{enforcement.pk}-{event_type.rsplit('_', 1)[-1]}",
    )


def _tell_seller(enforcement: Enforcement, *, kind: str, data: dict[str, Any], body: str) -> None:
    notify(user_ids=shop_member_ids(enforcement.shop_id), kind=kind, data=data, url=_standing_url(), message_body=body)


def enforcement_apply(
    *,
    actor: Actor,
    shop: Shop,
    kind: str,
    reason: str,
    effective_at: dt.datetime | None = None,
) -> Enforcement:
    """Apply a warning, restriction or suspension to a shop (taking up its pending proposal), with notice."""
    _require_enforcer(actor)
    if not _staff_shops(actor).filter(pk=shop.pk).exists():
        raise NotFound()
    if kind not in EnforcementKind.values:
        raise DomainValidationError(_("Choose a warning, a restriction or a suspension."), field="kind")
    reason = _clean_text(reason, field="reason")
    policy = policy_current()
    now = clock.now()
    earliest = now if kind == EnforcementKind.WARNING else now + dt.timedelta(days=policy.enforcement_notice_days)
    effective_at = effective_at or earliest
    if effective_at < earliest - dt.timedelta(minutes=1):
        raise DomainValidationError(
            _("A restriction or a suspension starts after %(days)s days of notice, on %(date)s at the earliest.")
            % {"days": policy.enforcement_notice_days, "date": earliest.date().isoformat()},
            field="effective_at",
        )
    if effective_at > now + dt.timedelta(days=365):
        raise DomainValidationError(_("Choose an effective date within a year."), field="effective_at")
    with transaction.atomic():
        measures = _locked_shop_measures(shop)
        binding = [m for m in measures if m.status in BINDING_STATUSES]
        if any(m.kind == EnforcementKind.SUSPENSION for m in binding):
            raise Conflict(
                _("This seller is already suspended; lift the suspension first if a lighter measure should apply."),
                field="kind",
            )
        proposal = next((m for m in measures if m.status == EnforcementStatus.PROPOSED), None)
        if proposal is None:
            proposal = Enforcement.objects.create(shop=shop, kind=kind, reason=reason, proposed_at=now)
            events.enforcement_proposed(enforcement=proposal, actor=actor, kind=kind, level="", snapshot_id=None)
        before = _snapshot_of(proposal)
        proposal.kind, proposal.reason, proposal.effective_at = kind, reason, effective_at
        proposal.applied_by, proposal.applied_at = actor.user, now
        proposal.save(update_fields=["kind", "reason", "effective_at", "applied_by", "applied_at"])
        transition(proposal, to=EnforcementStatus.ACTIVE, actor=actor, payload={"kind": kind})
        audit_record(actor=actor, action="enforcement.apply", obj=proposal, before=before, after=_snapshot_of(proposal))
        _tell_marketplace(proposal, "shop.enforcement_applied")
        _tell_seller(
            proposal,
            kind="standards.enforcement",
            data={"shop": shop.name, "effective": effective_at.date().isoformat()},
            body=reason,
        )
    return proposal


def _enforcement_locked(enforcement: Enforcement) -> Enforcement:
    Shop.objects.select_for_update().get(pk=enforcement.shop_id)
    return Enforcement.objects.select_for_update().get(pk=enforcement.pk)


def enforcement_dismiss(*, actor: Actor, enforcement: Enforcement) -> Enforcement:
    """Dismiss a proposed measure (the operator judged it not needed)."""
    _require_enforcer(actor)
    with transaction.atomic():
        row = _enforcement_locked(enforcement)
        before = _snapshot_of(row)
        transition(row, to=EnforcementStatus.DISMISSED, actor=actor)
        audit_record(actor=actor, action="enforcement.dismiss", obj=row, before=before, after=_snapshot_of(row))
    return row


def enforcement_lift(*, actor: Actor, enforcement: Enforcement) -> Enforcement:
    """End a measure in force before anyone appealed it."""
    _require_enforcer(actor)
    with transaction.atomic():
        row = _enforcement_locked(enforcement)
        before = _snapshot_of(row)
        transition(row, to=EnforcementStatus.LIFTED, actor=actor)
        row.ended_at = clock.now()
        row.save(update_fields=["ended_at"])
        audit_record(actor=actor, action="enforcement.lift", obj=row, before=before, after=_snapshot_of(row))
        _tell_marketplace(row, "shop.enforcement_ended")
    return row


def enforcement_appeal(*, actor: Actor, enforcement: Enforcement, text: str) -> Enforcement:
    """File the seller's one appeal against a measure in force, with the seller's explanation."""
    if actor.role != Role.SELLER or actor.user is None:
        raise NotFound()
    if enforcement.shop_id not in set(actor.user.memberships.values_list("shop_id", flat=True)):
        raise NotFound()
    text = _clean_text(text, field="text")
    with transaction.atomic():
        row = _enforcement_locked(enforcement)
        if row.appealed_at is not None:
            raise Conflict(_("This measure was appealed already; an appeal is heard once."))
        transition(row, to=EnforcementStatus.APPEALED, actor=actor)
        row.appeal_text, row.appealed_at = text, clock.now()
        row.save(update_fields=["appeal_text", "appealed_at"])
    return row


def enforcement_appeal_decide(*, actor: Actor, enforcement: Enforcement, accept: bool, answer: str) -> Enforcement:
    """Accept (revoke the measure) or reject a seller's appeal, with the answer the seller reads."""
    _require_enforcer(actor)
    answer = _clean_text(answer, field="answer")
    with transaction.atomic():
        row = _enforcement_locked(enforcement)
        if row.applied_by_id is not None and actor.user is not None and row.applied_by_id == actor.user.pk:
            raise PermissionDenied(_("Another operator hears the appeal against a measure you applied."))
        before = _snapshot_of(row)
        target = EnforcementStatus.REVOKED if accept else EnforcementStatus.ACTIVE
        transition(row, to=target, actor=actor, payload={"accepted": accept})
        row.appeal_answer, row.appeal_decided_by, row.appeal_decided_at = answer, actor.user, clock.now()
        fields = ["appeal_answer", "appeal_decided_by", "appeal_decided_at"]
        if accept:
            row.ended_at = row.appeal_decided_at
            fields.append("ended_at")
        row.save(update_fields=fields)
        audit_record(actor=actor, action="enforcement.appeal_decide", obj=row, before=before, after=_snapshot_of(row))
        if accept:
            _tell_marketplace(row, "shop.enforcement_ended")
        _tell_seller(row, kind="standards.appeal_decided", data={"shop": row.shop.name}, body=answer)
    return row
