"""One story written as dated steps from a start moment; the same random draws on every call."""

from __future__ import annotations

import datetime as dt
import random
from typing import TYPE_CHECKING, Any

from marketdesk.cases.models import DecisionOutcome, DecisionReason, OfferKind, Party, Payer
from marketdesk.core.calendar import due_at
from marketdesk.core.money import Money, currency_exponent
from marketdesk.orders.models import OrderLine
from marketdesk.simulator import case_texts as texts
from marketdesk.simulator.cases.stories import DAY, GOOD_BY_SKU, HOUR, MINUTE, Claim, S, Step, Story, Subject

if TYPE_CHECKING:  # the seeder writes stories; a story only reads it
    from marketdesk.simulator.cases.seeding import Seeder


def span(rng: random.Random, low: dt.timedelta, high: dt.timedelta) -> dt.timedelta:
    return dt.timedelta(seconds=rng.randint(int(low.total_seconds()), int(high.total_seconds())))


class Timeline:
    """Steps one after another, each at or after the one before."""

    def __init__(self, start: dt.datetime, rng: random.Random) -> None:
        self.rng = rng
        self.last = start
        self.steps: list[Step] = []

    def at(self, name: str, when: dt.datetime, /, **args: Any) -> dt.datetime:
        when = max(when, self.last).replace(microsecond=0)
        self.steps.append(Step(name, when, args))
        self.last = when
        return when

    def then(self, name: str, low: dt.timedelta, high: dt.timedelta, /, **args: Any) -> dt.datetime:
        return self.at(name, self.last + span(self.rng, low, high), **args)


def last_step(steps: list[Step], kind: str) -> Step:
    return next(step for step in reversed(steps) if step.kind == kind)


def part_of(total_minor: int, currency: str, percent: int) -> int:
    """Return ``percent`` of an amount, in whole major units when that leaves something."""
    unit = 10 ** currency_exponent(currency)
    amount = total_minor * percent // 100
    if amount >= unit:
        amount -= amount % unit
    return max(1, amount)


class StoryWriter:
    """Writes one story's steps from a start moment; the same random draws on every call."""

    def __init__(
        self, seeder: Seeder, subject: Subject, claim: Claim, rng: random.Random, options: dict[str, Any]
    ) -> None:
        self.seeder = seeder
        self.subject = subject
        self.claim = claim
        self.rng = rng
        self.options = options
        self.policy = seeder.policy
        self.calendar = seeder.calendar
        order = subject.order
        self.line_total = claim.line.total_minor if claim.line is not None else order.total_minor
        # A whole-order claim still names what was ordered: its first item.
        self.item_line = claim.line or (subject.lines[0] if subject.lines else None)
        self.values = {
            "shop": order.shop.name,
            "order": order.external_id,
            "carrier": subject.carrier,
            "item": self._item(self.item_line, subject.language),
        }
        self.offer_kind: str = ""
        self.offer_amount: int | None = None

    @staticmethod
    def _item(line: OrderLine | None, language: str) -> str:
        if line is None:
            return "order" if language == "en" else "заказ"
        good = GOOD_BY_SKU.get(line.sku)
        if good is None:
            return line.title
        return good.ru if language == "ru" else good.en[0].lower() + good.en[1:]

    def _money(self, amount_minor: int, language: str) -> str:
        return Money(amount_minor, self.subject.order.currency).format(language)

    def _text(self, choices: tuple[str, ...], language: str, **extra: str) -> str:
        values = {**self.values, "amount": "", "payer": "", **extra}
        if language != self.subject.language:
            values["item"] = self._item(self.item_line, language)
        return texts.case_text(self.rng, choices, **values)

    # -- the story ------------------------------------------------------------------------

    def steps(self, story: Story, start: dt.datetime) -> list[Step]:
        r = self.rng
        tl = Timeline(start, r)
        policy = self.policy
        lang = self.subject.language
        tl.at("contact", start)
        wait = dt.timedelta(hours=max(policy.case_after_contact_hours, policy.seller_silence_hours))
        opens = start + wait + span(r, 30 * MINUTE, 40 * HOUR)
        if r.random() < 0.5:
            tl.at("reply", start + span(r, HOUR, min(40 * HOUR, wait + 20 * MINUTE)))
        description = self._text(texts.DESCRIPTIONS[lang][self.claim.sub_reason], lang)
        tl.at("open", opens, description=description)
        if story == S.AWAITING_SELLER:
            if r.random() < 0.4:
                self._buyer_evidence(tl)
        elif story == S.OFFER_MADE:
            self._offer(tl, r.choice(list(OfferKind)))
        elif story == S.DECLINED:
            self._offer(tl, r.choice((OfferKind.PARTIAL_REFUND, OfferKind.REFUSAL, OfferKind.REPLACEMENT)))
            self._decline(tl)
        elif story in (S.RESOLVED, S.CLOSED_AFTER_OFFER):
            self._offer(tl, r.choice((OfferKind.FULL_REFUND, OfferKind.PARTIAL_REFUND, OfferKind.REPLACEMENT)))
            tl.then("accept", HOUR, 30 * HOUR)
            if story == S.CLOSED_AFTER_OFFER:
                tl.then("close", MINUTE, 59 * MINUTE)
        elif story == S.WITHDRAWN:
            self._withdrawn(tl)
        elif story == S.EXPIRED:
            if r.random() < 0.5:
                self._offer(tl, r.choice((OfferKind.PARTIAL_REFUND, OfferKind.REPLACEMENT)))
            idle = due_at(tl.last, business_days=policy.case_expiry_business_days, calendar=self.calendar)
            tl.at("expire", idle + span(r, MINUTE, 59 * MINUTE))
        else:
            self._escalate(tl)
            if story != S.ESCALATED:
                self._platform(tl, story)
        return tl.steps

    def _platform(self, tl: Timeline, story: Story) -> None:
        """From escalation on: review, questions, decisions, appeals."""
        r = self.rng
        tl.then("review", 10 * MINUTE, 10 * HOUR, by="op1")
        if r.random() < 0.6:
            op_lang = self.subject.language
            tl.then("note", 5 * MINUTE, 2 * HOUR, by="op1", body=r.choice(texts.NOTES[op_lang]))
        if story == S.AWAITING_INFO:
            self._ask(tl, answered=False)
            return
        if story == S.UNDER_REVIEW:
            if r.random() < 0.3:
                self._ask(tl, answered=True)
            return
        if r.random() < 0.4:
            self._ask(tl, answered=True)
        # A buyer appeals a decision for the seller; a seller appeals a refund it pays (and that appeal
        # stays open: an appeal decision cannot uphold a refund without paying it a second time).
        appeal_by = Party.SELLER if story == S.APPEALED and r.random() < 0.4 else Party.BUYER
        if story in (S.REFUND_BY_SELLER, S.REFUND_BY_PLATFORM, S.SELLER_WINS):
            first = story
        elif story == S.CLOSED_AFTER_DECISION:
            first = r.choice((S.REFUND_BY_SELLER, S.REFUND_BY_PLATFORM, S.SELLER_WINS))
        else:
            first = S.SELLER_WINS if appeal_by == Party.BUYER else S.REFUND_BY_SELLER
        decided = tl.then("decide", HOUR, 30 * HOUR, by="op1", **self._decision(first))
        if story == S.CLOSED_AFTER_DECISION:
            window = due_at(decided, calendar_days=self.policy.appeal_window_days, calendar=self.calendar)
            tl.at("close", window + span(r, MINUTE, 59 * MINUTE))
            return
        if story not in (S.APPEALED, S.DECIDED_ON_APPEAL, S.CLOSED_AFTER_APPEAL):
            return
        party_lang = self.subject.language if appeal_by == Party.BUYER else self.subject.seller_language
        reason, new_information = r.choice(texts.APPEALS[party_lang][f"{appeal_by!s}_{self.claim.topic}"])
        tl.then(
            "appeal",
            DAY,
            12 * DAY,
            by=str(appeal_by),
            reason=self._text((reason,), party_lang),
            new_information=self._text((new_information,), party_lang),
        )
        if story == S.APPEALED:
            return
        tl.then("appeal_decide", 4 * HOUR, 40 * HOUR, by="op2", **self._appeal_decision())
        if story == S.CLOSED_AFTER_APPEAL:
            tl.then("close", MINUTE, 59 * MINUTE)

    def _escalate(self, tl: Timeline) -> None:
        """The seller stays silent past the deadline, or the buyer declines the offer; then escalation."""
        r = self.rng
        if r.random() < 0.5:
            if r.random() < 0.4:
                self._buyer_evidence(tl)
            opened = last_step(tl.steps, "open").at
            deadline = due_at(opened, business_days=self.policy.seller_response_business_days, calendar=self.calendar)
            tl.at("escalate", deadline + span(r, HOUR, 40 * HOUR), by="buyer")
        else:
            self._offer(tl, r.choice((OfferKind.REFUSAL, OfferKind.PARTIAL_REFUND, OfferKind.REPLACEMENT)))
            self._decline(tl)
            tl.then("escalate", 5 * MINUTE, 20 * HOUR, by="buyer" if r.random() < 0.8 else "seller")
        if r.random() < 0.5:
            lang = self.subject.seller_language
            text = self._text(texts.SELLER_EVIDENCE[lang][self.claim.topic], lang)
            tl.then("evidence", HOUR, 16 * HOUR, by="seller", text=text)

    def _buyer_evidence(self, tl: Timeline) -> None:
        lang = self.subject.language
        text = self._text(texts.BUYER_EVIDENCE[lang][self.claim.topic], lang)
        tl.then("evidence", HOUR, 20 * HOUR, by="buyer", text=text)

    def _offer(self, tl: Timeline, kind: OfferKind) -> None:
        """The seller answers within its deadline (well inside three business days)."""
        amount = None
        if kind == OfferKind.PARTIAL_REFUND:
            amount = part_of(self.line_total, self.subject.order.currency, self.rng.choice((20, 25, 30, 40, 50)))
        self.offer_amount = amount
        lang = self.subject.seller_language
        extra = {"amount": self._money(amount, lang)} if amount else {}
        message = self._text(texts.OFFER_MESSAGES[lang][kind], lang, **extra)
        tl.then("offer", 2 * HOUR, 44 * HOUR, by="seller", kind=str(kind), amount_minor=amount, message=message)
        self.offer_kind = kind

    def _decline(self, tl: Timeline) -> None:
        r = self.rng
        tl.then("decline", HOUR, 30 * HOUR)
        kind = self.offer_kind
        lang = self.subject.language
        if r.random() < 0.7 and kind in texts.DECLINE_NOTES[lang]:
            amount = self.offer_amount
            extra = {"amount": self._money(amount, lang)} if amount else {}
            text = self._text(texts.DECLINE_NOTES[lang][kind], lang, **extra)
            tl.then("evidence", 5 * MINUTE, 3 * HOUR, by="buyer", text=text)

    def _withdrawn(self, tl: Timeline) -> None:
        """The buyer withdraws: before the seller answers, after an offer, or once escalated."""
        r = self.rng
        variant = r.random()
        if variant < 0.4:
            pass
        elif variant < 0.7:
            self._offer(tl, r.choice((OfferKind.PARTIAL_REFUND, OfferKind.REPLACEMENT, OfferKind.REFUSAL)))
        else:
            self._escalate(tl)
        lang = self.subject.language
        text = self._text(texts.WITHDRAW_NOTES[lang][self.claim.topic], lang)
        tl.then("evidence", 2 * HOUR, 3 * DAY, by="buyer", text=text)
        tl.then("withdraw", 2 * MINUTE, 30 * MINUTE)

    def _ask(self, tl: Timeline, *, answered: bool) -> None:
        r = self.rng
        party = self.options.get("party") or r.choice((Party.BUYER, Party.SELLER))
        lang = self.subject.language if party == Party.BUYER else self.subject.seller_language
        question, answer = r.choice(texts.INFO_EXCHANGES[lang][f"{party!s}_{self.claim.topic}"])
        tl.then("ask", 10 * MINUTE, 6 * HOUR, by="op1", party=str(party), question=self._text((question,), lang))
        if answered:
            tl.then("answer", HOUR, 60 * HOUR, by=str(party), answer=self._text((answer,), lang))

    # -- decisions ------------------------------------------------------------------------

    def _decision(self, story: Story) -> dict[str, Any]:
        """Return the terms of a first decision for the story's outcome and the claim's sub-reason."""
        sub = self.claim.sub_reason
        order = self.subject.order
        if story == S.SELLER_WINS:
            reason = {
                "not_arrived": DecisionReason.DELIVERED_WITH_PROOF,
                "delivery_stuck": DecisionReason.DELIVERED_WITH_PROOF,
                "seller_silent": DecisionReason.DELIVERED_WITH_PROOF,
                "not_as_described": DecisionReason.AS_DESCRIBED,
                "wrong_item": DecisionReason.AS_DESCRIBED,
                "refund_wanted": DecisionReason.OUTSIDE_PROTECTION,
            }.get(sub, DecisionReason.BUYER_NO_EVIDENCE)
            return self._terms(DecisionOutcome.SELLER_WINS, Payer.NONE, None, reason)
        payer = Payer.SELLER if story == S.REFUND_BY_SELLER else Payer.PLATFORM
        if sub in ("not_arrived", "delivery_stuck"):
            lost = payer == Payer.PLATFORM
            reason = DecisionReason.NOT_RECEIVED_LOST if lost else DecisionReason.NOT_RECEIVED_NO_PROOF
            return self._terms(DecisionOutcome.BUYER_FULL_REFUND, payer, None, reason)
        if sub == "seller_silent":
            return self._terms(DecisionOutcome.BUYER_FULL_REFUND, payer, None, DecisionReason.SELLER_UNRESPONSIVE)
        reason = {
            "damaged": DecisionReason.DAMAGED_IN_TRANSIT,
            "wrong_item": DecisionReason.WRONG_ITEM,
            "refund_missing": DecisionReason.REFUND_NOT_PAID,
            "refund_wanted": DecisionReason.OTHER,
        }.get(sub, DecisionReason.NOT_AS_DESCRIBED)
        if sub in ("damaged", "wrong_item", "refund_missing"):
            amount = self.line_total
        else:
            amount = part_of(self.line_total, order.currency, self.rng.choice((30, 40, 50)))
        if amount >= order.total_minor:
            return self._terms(DecisionOutcome.BUYER_FULL_REFUND, payer, None, reason)
        return self._terms(DecisionOutcome.BUYER_PARTIAL_REFUND, payer, amount, reason)

    def _appeal_decision(self) -> dict[str, Any]:
        """The buyer appealed a decision for the seller: a second operator upholds or overturns it."""
        if self.rng.random() < 0.5:
            return self._terms(DecisionOutcome.SELLER_WINS, Payer.NONE, None, DecisionReason.APPEAL_UPHELD)
        return self._terms(DecisionOutcome.BUYER_FULL_REFUND, Payer.SELLER, None, DecisionReason.APPEAL_OVERTURNED)

    def _terms(self, outcome: str, payer: str, amount: int | None, reason: str) -> dict[str, Any]:
        lang = self.subject.language
        shown = amount if amount is not None else self.subject.order.total_minor
        rationale = self._text(
            texts.RATIONALES[lang][reason],
            lang,
            amount=self._money(shown, lang),
            payer=texts.PAYER[lang].get(payer, ""),
        )
        return {
            "outcome": outcome,
            "payer": payer,
            "amount_minor": amount,
            "reason_code": reason,
            "rationale": rationale,
        }
