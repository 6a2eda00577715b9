"""case_eligibility: each rule one minute either side of its boundary, and the reason in both languages."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import translation

from marketdesk.cases.eligibility import case_eligibility
from marketdesk.cases.models import CaseType
from marketdesk.core.actors import Actor
from marketdesk.core.policies import policy_publish
from tests import factories
from tests.cases.factories import CaseFactory, SellerContactFactory

pytestmark = pytest.mark.django_db

CONTACT = dt.datetime(2026, 11, 26, 14, 0, tzinfo=dt.UTC)  # Thursday
MINUTE = dt.timedelta(minutes=1)
EDD = dt.datetime(2026, 11, 20, 12, 0, tzinfo=dt.UTC)
DELIVERED = dt.datetime(2026, 11, 21, 9, 30, tzinfo=dt.UTC)
LONG_AGO = dt.datetime(2026, 10, 1, 9, 0, tzinfo=dt.UTC)


def check(order, case_type, contact, now, **kwargs):
    kwargs.setdefault("delivered_at", order.delivered_at)
    return case_eligibility(order=order, case_type=case_type, contact=contact, now=now, **kwargs)


@pytest.fixture
def order(marketplace):
    return factories.OrderFactory(marketplace=marketplace, estimated_delivery_at=EDD, delivered_at=DELIVERED)


def contact_at(order, when, replied_at=None):
    return SellerContactFactory(order=order, contacted_at=when, seller_replied_at=replied_at)


# Contact the seller first


def test_without_contact_the_buyer_is_sent_to_the_seller_first(order):
    verdict = check(order, CaseType.OTHER, None, CONTACT)

    assert (verdict.allowed, verdict.reason, verdict.opens_at) == (
        False,
        "Contact the seller first: most problems are solved that way.",
        None,
    )


def test_one_minute_before_48_hours_after_contact_is_refused_with_the_date(order):
    contact = contact_at(order, CONTACT, replied_at=CONTACT + dt.timedelta(hours=1))

    verdict = check(order, CaseType.OTHER, contact, CONTACT + dt.timedelta(hours=48) - MINUTE)

    assert (verdict.allowed, verdict.opens_at) == (False, CONTACT + dt.timedelta(hours=48))
    assert verdict.reason == "You can open a case from Sat 28 Nov, 14:00, if the problem is not solved by then."


def test_one_minute_after_48_hours_after_contact_is_allowed(order):
    contact = contact_at(order, CONTACT, replied_at=CONTACT + dt.timedelta(hours=1))

    verdict = check(order, CaseType.OTHER, contact, CONTACT + dt.timedelta(hours=48) + MINUTE)

    assert (verdict.allowed, verdict.opens_at) == (True, CONTACT + dt.timedelta(hours=48))


def test_the_reason_is_written_in_the_active_language(order):
    contact = contact_at(order, CONTACT)

    with translation.override("ru"):
        verdict = check(order, CaseType.OTHER, contact, CONTACT)

    assert verdict.reason == "Открыть спор можно с Сб, 28 ноября, 14:00, если к тому времени проблема не решится."


@pytest.fixture
def silence_shorter_than_waiting(db):
    # Apart, the two rules can be told apart: 72 h after contact, or 48 h of seller silence.
    policy_publish(actor=Actor.system(), changes={"case_after_contact_hours": 72, "seller_silence_hours": 48})


def test_silent_seller_one_minute_before_48_hours_is_refused_saying_so(order, silence_shorter_than_waiting):
    contact = contact_at(order, CONTACT)

    verdict = check(order, CaseType.OTHER, contact, CONTACT + dt.timedelta(hours=48) - MINUTE)

    assert (verdict.allowed, verdict.opens_at) == (False, CONTACT + dt.timedelta(hours=48))
    assert verdict.reason == "You can open a case from Sat 28 Nov, 14:00, if the seller has not replied."


def test_silent_seller_one_minute_after_48_hours_is_allowed_at_once(order, silence_shorter_than_waiting):
    contact = contact_at(order, CONTACT)

    verdict = check(order, CaseType.OTHER, contact, CONTACT + dt.timedelta(hours=48) + MINUTE)

    assert verdict.allowed is True


def test_a_seller_who_replied_in_time_gets_the_full_wait(order, silence_shorter_than_waiting):
    contact = contact_at(order, CONTACT, replied_at=CONTACT + dt.timedelta(hours=47))

    before = check(order, CaseType.OTHER, contact, CONTACT + dt.timedelta(hours=72) - MINUTE)
    after = check(order, CaseType.OTHER, contact, CONTACT + dt.timedelta(hours=72) + MINUTE)

    assert (before.allowed, before.opens_at, after.allowed) == (False, CONTACT + dt.timedelta(hours=72), True)


def test_a_reply_after_the_silence_deadline_does_not_undo_the_silence(order, silence_shorter_than_waiting):
    contact = contact_at(order, CONTACT, replied_at=CONTACT + dt.timedelta(hours=50))

    verdict = check(order, CaseType.OTHER, contact, CONTACT + dt.timedelta(hours=48) + MINUTE)

    assert verdict.allowed is True


# Item not received: from the estimated delivery date until 30 days after it


def test_inr_one_minute_before_the_estimated_delivery_is_refused_with_the_date(order):
    contact = contact_at(order, LONG_AGO)

    verdict = check(order, CaseType.ITEM_NOT_RECEIVED, contact, EDD - MINUTE)

    assert (verdict.allowed, verdict.opens_at) == (False, EDD)
    assert verdict.reason == "You can open a case from Fri 20 Nov, 12:00, after the latest estimated delivery date."


def test_inr_one_minute_after_the_estimated_delivery_is_allowed(order):
    contact = contact_at(order, LONG_AGO)

    verdict = check(order, CaseType.ITEM_NOT_RECEIVED, contact, EDD + MINUTE)

    assert (verdict.allowed, verdict.closes_at) == (True, EDD + dt.timedelta(days=30))


def test_inr_one_minute_before_30_days_after_the_estimate_is_allowed(order):
    contact = contact_at(order, LONG_AGO)

    verdict = check(order, CaseType.ITEM_NOT_RECEIVED, contact, EDD + dt.timedelta(days=30) - MINUTE)

    assert verdict.allowed is True


def test_inr_one_minute_after_30_days_after_the_estimate_is_refused(order):
    contact = contact_at(order, LONG_AGO)

    verdict = check(order, CaseType.ITEM_NOT_RECEIVED, contact, EDD + dt.timedelta(days=30) + MINUTE)

    assert (verdict.allowed, verdict.reason) == (False, "The time to open this case ended on Sun 20 Dec, 12:00.")


def test_inr_without_a_delivery_estimate_is_refused(marketplace):
    order = factories.OrderFactory(marketplace=marketplace, estimated_delivery_at=None)

    verdict = check(order, CaseType.ITEM_NOT_RECEIVED, contact_at(order, LONG_AGO), EDD)

    assert (verdict.allowed, verdict.reason) == (
        False,
        "The order has no estimated delivery date yet, so it cannot be late.",
    )


# Not as described: until 30 days after delivery


def test_snad_one_minute_before_30_days_after_delivery_is_allowed(order):
    contact = contact_at(order, LONG_AGO)

    verdict = check(order, CaseType.NOT_AS_DESCRIBED, contact, DELIVERED + dt.timedelta(days=30) - MINUTE)

    assert (verdict.allowed, verdict.closes_at) == (True, DELIVERED + dt.timedelta(days=30))


def test_snad_one_minute_after_30_days_after_delivery_is_refused(order):
    contact = contact_at(order, LONG_AGO)

    verdict = check(order, CaseType.NOT_AS_DESCRIBED, contact, DELIVERED + dt.timedelta(days=30) + MINUTE)

    assert (verdict.allowed, verdict.reason) == (False, "The time to open this case ended on Mon 21 Dec, 09:30.")


def test_snad_before_delivery_is_refused(marketplace):
    order = factories.OrderFactory(marketplace=marketplace, delivered_at=None)

    verdict = check(order, CaseType.NOT_AS_DESCRIBED, contact_at(order, LONG_AGO), DELIVERED)

    assert (verdict.allowed, verdict.reason) == (
        False,
        "You can open this case once the order has been delivered.",
    )


# One open case per line and reason


def test_an_open_case_for_the_same_line_and_reason_is_refused(order):
    existing = CaseFactory(order=order)

    verdict = check(order, CaseType.ITEM_NOT_RECEIVED, contact_at(order, LONG_AGO), EDD + MINUTE, open_case=existing)

    assert (verdict.allowed, verdict.reason) == (
        False,
        f"There is already an open case (no. {existing.pk}) for this item and reason.",
    )
