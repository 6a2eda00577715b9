"""Buyer-protection cases: the seller contact before them, offers, information requests, decisions, appeals."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from marketdesk.cases.states import CASE_TRANSITIONS, OPEN_STATUSES, CaseStatus
from marketdesk.core import clock
from marketdesk.core.actors import Role
from marketdesk.core.deadlines import QueueDeadlineModel
from marketdesk.core.errors import ImmutableRecord
from marketdesk.core.money import Money
from marketdesk.core.transitions import Move, StatefulModel, TransitionTable


class CaseType(models.TextChoices):
    ITEM_NOT_RECEIVED = "item_not_received", _("Item not received")
    NOT_AS_DESCRIBED = "not_as_described", _("Not as described")
    SELLER_UNRESPONSIVE = "seller_unresponsive", _("Seller unresponsive")
    REFUND_NOT_RECEIVED = "refund_not_received", _("Refund not received")
    OTHER = "other", _("Other")


class Party(models.TextChoices):
    BUYER = "buyer", _("Buyer")
    SELLER = "seller", _("Seller")


class SellerContact(models.Model):
    """The buyer's first contact with the seller about an order, and the seller's first reply."""

    order = models.ForeignKey("orders.Order", on_delete=models.PROTECT, related_name="seller_contacts")
    buyer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    contacted_at = models.DateTimeField(_("contacted the seller"))
    seller_replied_at = models.DateTimeField(_("seller replied"), null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["order", "buyer"], name="seller_contact_once_per_order")]

    def __str__(self) -> str:
        return f"contact {self.order_id} @ {self.contacted_at:%Y-%m-%d %H:%M}"


class Case(QueueDeadlineModel, StatefulModel):
    """A buyer's claim about an order (or one of its lines), between buyer, seller and platform."""

    TRANSITIONS = CASE_TRANSITIONS

    order = models.ForeignKey("orders.Order", on_delete=models.PROTECT, related_name="cases")
    line = models.ForeignKey("orders.OrderLine", null=True, blank=True, on_delete=models.PROTECT, related_name="cases")
    buyer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="cases")
    shop = models.ForeignKey("orders.Shop", on_delete=models.PROTECT, related_name="cases")
    # The order's (and its shop's) marketplace, kept on the case: the console's queue and dashboard read one
    # marketplace's cases by their own indexes, never walking every marketplace's to join each to its shop.
    # (No index of its own: every index that reads by it leads with it.)
    marketplace = models.ForeignKey(
        "orders.Marketplace", on_delete=models.PROTECT, related_name="cases", db_index=False
    )
    case_type = models.CharField(_("reason"), max_length=24, choices=CaseType.choices)
    reason_detail = models.CharField(_("reason detail"), max_length=100, blank=True)
    description = models.TextField(_("description"))
    status = models.CharField(
        _("status"), max_length=24, choices=CaseStatus.choices, default=CaseStatus.AWAITING_SELLER
    )
    opened_at = models.DateTimeField(_("opened"), default=clock.now)
    seller_due_at = models.DateTimeField(_("seller answers by"))
    decision_due_at = models.DateTimeField(_("decision due"), null=True, blank=True)
    info_due_at = models.DateTimeField(_("information due"), null=True, blank=True)
    last_activity_at = models.DateTimeField(_("last activity"), default=clock.now)
    expires_at = models.DateTimeField(_("expires"), null=True, blank=True)
    # Until when the first decision may be appealed (set when it is made).
    appeal_due_at = models.DateTimeField(_("appeal window closes"), null=True, blank=True)
    policy_version = models.PositiveIntegerField(_("policy version"))
    escalated_at = models.DateTimeField(_("escalated"), null=True, blank=True)
    escalated_by_role = models.CharField(max_length=16, blank=True)
    referenced_case = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="referencing_cases"
    )
    updated_at = models.DateTimeField(default=clock.now)
    # Who works on the case now (the console's claim, assignment and round-robin write these).
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="assigned_cases"
    )
    assigned_at = models.DateTimeField(_("assigned"), null=True, blank=True)
    # Whether the case is open, computed by the database: the queue filters on it (not on status), so the
    # (is_open, queue_due_at, id) index hands a page over in deadline order where SQLite's planner would
    # otherwise pick the status index and sort every open case.
    is_open = models.GeneratedField(
        expression=models.Case(
            models.When(status__in=OPEN_STATUSES, then=models.Value(True)),
            default=models.Value(False),
            output_field=models.BooleanField(),
        ),
        output_field=models.BooleanField(),
        db_persist=True,
    )

    class Meta:
        constraints = [
            # One open case per order line and reason; NULL lines never collide in a unique index,
            # so the whole-order cases get their own constraint (works on SQLite and PostgreSQL).
            models.UniqueConstraint(
                fields=["order", "line", "case_type"],
                condition=models.Q(status__in=OPEN_STATUSES, line__isnull=False),
                name="case_one_open_per_line_and_type",
            ),
            models.UniqueConstraint(
                fields=["order", "case_type"],
                condition=models.Q(status__in=OPEN_STATUSES, line__isnull=True),
                name="case_one_open_per_order_and_type",
            ),
            models.CheckConstraint(condition=models.Q(status__in=CaseStatus.values), name="case_status_valid"),
            models.CheckConstraint(condition=models.Q(case_type__in=CaseType.values), name="case_type_valid"),
        ]
        indexes = [
            models.Index(fields=["buyer", "-opened_at"], name="case_buyer_recent_idx"),
            models.Index(fields=["shop", "-opened_at"], name="case_shop_recent_idx"),
            models.Index(fields=["status", "decision_due_at"], name="case_queue_idx"),
            models.Index(fields=["assignee", "status"], name="case_assignee_idx"),
            # The operators' queue: open cases by the deadline that matters now.
            models.Index(
                fields=["queue_due_at", "id"], condition=models.Q(status__in=OPEN_STATUSES), name="case_queue_due_idx"
            ),
            models.Index(fields=["is_open", "queue_due_at", "id"], name="case_open_due_idx"),
            # A marketplace's queue: its open cases in deadline order, whatever the other marketplaces hold.
            models.Index(fields=["marketplace", "is_open", "queue_due_at", "id"], name="case_mp_open_due_idx"),
            # The dashboard's backlog counts the last week's escalations waiting on the platform by this one.
            models.Index(fields=["marketplace", "status", "escalated_at"], name="case_mp_status_escalated_idx"),
            # The dashboard's live stretch (today) counts the marketplace's cases opened since midnight by this one,
            # and the nightly rollup every marketplace's of a day by the next.
            models.Index(fields=["marketplace", "opened_at"], name="case_mp_opened_at_idx"),
            models.Index(fields=["opened_at"], name="case_opened_at_idx"),
        ]

    def __str__(self) -> str:
        return f"case {self.pk} ({self.case_type})"

    def queue_due(self) -> dt.datetime | None:
        """Return the deadline that matters now: the party's whose move it is, else the operator's decision."""
        s = CaseStatus
        if self.status == s.AWAITING_SELLER:
            return self.seller_due_at
        if self.status == s.AWAITING_INFO:
            return self.info_due_at
        if self.status in (s.ESCALATED, s.UNDER_REVIEW, s.APPEALED):
            return self.decision_due_at
        if self.status in (s.OFFER_MADE, s.DECLINED):
            return self.expires_at
        if self.status == s.DECIDED:
            return self.appeal_due_at
        return None


class OfferKind(models.TextChoices):
    FULL_REFUND = "full_refund", _("Full refund")
    PARTIAL_REFUND = "partial_refund", _("Partial refund")
    REPLACEMENT = "replacement", _("Replacement")
    RETURN_AND_REFUND = "return_and_refund", _("Return and refund")
    REFUSAL = "refusal", _("Refusal")


REFUND_OFFERS = (OfferKind.FULL_REFUND, OfferKind.PARTIAL_REFUND, OfferKind.RETURN_AND_REFUND)


class OfferStatus(models.TextChoices):
    PENDING = "pending", pgettext_lazy("offer", "Pending")
    ACCEPTED = "accepted", pgettext_lazy("offer", "Accepted")
    DECLINED = "declined", pgettext_lazy("offer", "Declined")
    WITHDRAWN = "withdrawn", pgettext_lazy("offer", "Withdrawn")


# An offer's moves record no event of their own: the case's move they ride on records it.
OFFER_TRANSITIONS = TransitionTable(
    states=OfferStatus,
    moves=(
        Move(OfferStatus.PENDING, OfferStatus.ACCEPTED, [Role.BUYER], None),
        Move(OfferStatus.PENDING, OfferStatus.DECLINED, [Role.BUYER], None),
        # With the case: the buyer withdraws it, or it expires idle.
        Move(OfferStatus.PENDING, OfferStatus.WITHDRAWN, [Role.BUYER, Role.SYSTEM], None),
    ),
)


class CaseOffer(StatefulModel):
    """What the seller offers to settle a case, or a reasoned refusal."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="offers")
    kind = models.CharField(_("offer"), max_length=24, choices=OfferKind.choices)
    amount_minor = models.BigIntegerField(_("amount"), null=True, blank=True)
    currency = models.CharField(max_length=3, blank=True)
    message = models.TextField(_("message"), blank=True)
    evidence_note = models.TextField(_("evidence"), blank=True)
    made_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    made_at = models.DateTimeField(default=clock.now)
    TRANSITIONS = OFFER_TRANSITIONS
    status = models.CharField(max_length=16, choices=OfferStatus.choices, default=OfferStatus.PENDING)
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["made_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["case"], condition=models.Q(status="pending"), name="case_offer_one_pending"
            ),
            models.CheckConstraint(
                condition=models.Q(amount_minor__isnull=True) | models.Q(amount_minor__gt=0),
                name="case_offer_amount_positive",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} on case {self.case_id}"

    @property
    def amount(self) -> Money | None:
        return Money(self.amount_minor, self.currency) if self.amount_minor is not None else None


class InfoRequest(models.Model):
    """An operator's question to one party, with the deadline to answer."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="info_requests")
    party = models.CharField(max_length=8, choices=Party.choices)
    question = models.TextField(_("question"))
    asked_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    asked_at = models.DateTimeField(default=clock.now)
    due_at = models.DateTimeField(_("answer by"))
    answered_at = models.DateTimeField(null=True, blank=True)
    answer = models.TextField(_("answer"), blank=True)

    class Meta:
        ordering = ["asked_at", "id"]

    def __str__(self) -> str:
        return f"question to {self.party} on case {self.case_id}"


class DecisionOutcome(models.TextChoices):
    BUYER_FULL_REFUND = "buyer_full_refund", _("Full refund to the buyer")
    BUYER_PARTIAL_REFUND = "buyer_partial_refund", _("Partial refund to the buyer")
    REPLACEMENT = "replacement", _("Replacement")
    RETURN_FIRST = "return_first", _("Return first, then refund")
    SELLER_WINS = "seller_wins", _("In the seller's favour")
    NO_FAULT = "no_fault", _("No fault found")


REFUND_OUTCOMES = (DecisionOutcome.BUYER_FULL_REFUND, DecisionOutcome.BUYER_PARTIAL_REFUND)


class DecisionReason(models.TextChoices):
    """Why a case was decided as it was: reported on, so a fixed list (its wording lives in the rationale)."""

    NOT_RECEIVED_NO_PROOF = "not_received_no_proof", _("Not received: no proof of delivery")
    NOT_RECEIVED_LOST = "not_received_lost", _("Not received: lost in transit")
    DAMAGED_IN_TRANSIT = "damaged_in_transit", _("Arrived damaged")
    NOT_AS_DESCRIBED = "not_as_described", _("Not as described")
    WRONG_ITEM = "wrong_item", _("Wrong item sent")
    SELLER_UNRESPONSIVE = "seller_unresponsive", _("Seller did not respond")
    REFUND_NOT_PAID = "refund_not_paid", _("Agreed refund not paid")
    DELIVERED_WITH_PROOF = "delivered_with_proof", _("Delivered, with proof")
    AS_DESCRIBED = "as_described", _("Item matches its description")
    BUYER_NO_EVIDENCE = "buyer_no_evidence", _("Not enough evidence from the buyer")
    OUTSIDE_PROTECTION = "outside_protection", _("Outside buyer protection")
    APPEAL_UPHELD = "appeal_upheld", _("Appeal: first decision upheld")
    APPEAL_OVERTURNED = "appeal_overturned", _("Appeal: first decision changed")
    OTHER = "other", _("Other (explained in the rationale)")


#: The reason code a decision starts from for each kind of case (the operator may pick another); "other" has none.
DEFAULT_DECISION_REASON: dict[str, str] = {
    CaseType.ITEM_NOT_RECEIVED: DecisionReason.NOT_RECEIVED_NO_PROOF,
    CaseType.NOT_AS_DESCRIBED: DecisionReason.NOT_AS_DESCRIBED,
    CaseType.SELLER_UNRESPONSIVE: DecisionReason.SELLER_UNRESPONSIVE,
    CaseType.REFUND_NOT_RECEIVED: DecisionReason.REFUND_NOT_PAID,
}


class Payer(models.TextChoices):
    SELLER = "seller", _("Seller")
    PLATFORM = "platform", _("Platform")
    NONE = "none", _("Nobody")


class DecisionQuerySet(models.QuerySet["Decision"]):
    def update(self, **kwargs: Any) -> int:
        raise ImmutableRecord(_("A decision is never changed; it can only be appealed."))


class Decision(models.Model):
    """An operator's decision on a case (the first one, and at most one on appeal); never edited."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="decisions")
    is_appeal = models.BooleanField(default=False)
    outcome = models.CharField(_("outcome"), max_length=24, choices=DecisionOutcome.choices)
    payer = models.CharField(_("who pays"), max_length=8, choices=Payer.choices)
    amount_minor = models.BigIntegerField(_("amount"), default=0)
    currency = models.CharField(max_length=3)
    reason_code = models.CharField(_("reason code"), max_length=64, choices=DecisionReason.choices)
    rationale = models.TextField(_("rationale"))
    policy_version = models.PositiveIntegerField(_("policy version"))
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(default=clock.now)

    objects = DecisionQuerySet.as_manager()

    class Meta:
        ordering = ["decided_at", "id"]
        constraints = [
            # Exactly one first decision and one appeal decision, however the requests race.
            models.UniqueConstraint(fields=["case", "is_appeal"], name="decision_once_per_case_and_stage"),
            models.CheckConstraint(condition=models.Q(amount_minor__gte=0), name="decision_amount_nonnegative"),
            models.CheckConstraint(
                condition=models.Q(outcome__in=DecisionOutcome.values), name="decision_outcome_valid"
            ),
            models.CheckConstraint(condition=models.Q(payer__in=Payer.values), name="decision_payer_valid"),
        ]
        # The dashboard reads today's decisions (the closed days come from its rollups).
        indexes = [models.Index(fields=["decided_at"], name="decision_decided_at_idx")]

    def __str__(self) -> str:
        return f"{self.outcome} on case {self.case_id}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise ImmutableRecord(_("A decision is never changed; it can only be appealed."))
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise ImmutableRecord(_("A decision is never changed; it can only be appealed."))

    @property
    def amount(self) -> Money:
        return Money(self.amount_minor, self.currency)


class Appeal(models.Model):
    """A party's one appeal against the first decision, with new information."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="appeals")
    party = models.CharField(max_length=8, choices=Party.choices)
    filed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reason = models.TextField(_("reason"))
    new_information = models.TextField(_("new information"))
    filed_at = models.DateTimeField(default=clock.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["case"], name="appeal_once_per_case")]

    def __str__(self) -> str:
        return f"appeal on case {self.case_id}"


class CaseEvidence(models.Model):
    """A statement a party adds to its side of the case (text; files arrive with conversations)."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="evidence")
    party = models.CharField(max_length=8, choices=Party.choices)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    text = models.TextField(_("evidence"))
    added_at = models.DateTimeField(default=clock.now)

    class Meta:
        ordering = ["added_at", "id"]

    def __str__(self) -> str:
        return f"{self.party} evidence on case {self.case_id}"


class CaseNote(models.Model):
    """An operator's internal note on a case: never shown to a party, never edited."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="notes")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    body = models.TextField(_("note"))
    added_at = models.DateTimeField(default=clock.now)

    class Meta:
        ordering = ["added_at", "id"]

    def __str__(self) -> str:
        return f"note on case {self.case_id}"


class RationaleTemplate(models.Model):
    """The text a decision's rationale starts from, per outcome and language, edited by administrators.

    Placeholders in braces are filled when the decision form opens: {buyer}, {shop},
    {order}, {amount}, {payer}, {policy_version}. Without a row the built-in text is used.
    """

    outcome = models.CharField(_("outcome"), max_length=24, choices=DecisionOutcome.choices)
    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES)
    body = models.TextField(_("text"))
    updated_at = models.DateTimeField(default=clock.now, verbose_name=_("updated at"))

    class Meta:
        ordering = ["outcome", "language"]
        constraints = [
            models.UniqueConstraint(fields=["outcome", "language"], name="rationale_template_once_per_language")
        ]
        verbose_name = _("rationale template")
        verbose_name_plural = _("rationale templates")

    def __str__(self) -> str:
        return f"{self.outcome} ({self.language})"
