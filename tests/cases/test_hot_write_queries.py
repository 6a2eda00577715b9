"""The hot writes of a case cost the same queries however many cases, orders and messages exist.

Making and answering an offer and posting to the order's conversation are counted through their
services, with 10 and then 500 more cases and orders (and the conversation 200 messages longer):
each write's count is exact, so a query that grows with the data, or one more per write, fails here.
"""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from marketdesk.cases.models import Case, CaseType, OfferKind
from marketdesk.cases.services.offers import case_offer_accept, case_offer_make
from marketdesk.cases.services.opening import case_open
from marketdesk.core.actors import Actor
from marketdesk.core.money import Money
from marketdesk.messaging.models import Message, Thread
from marketdesk.messaging.services import order_message_post
from marketdesk.orders.models import Order
from tests.cases.conftest import CONTACTED_AT, late_order
from tests.cases.factories import SellerContactFactory
from tests.cases.test_fanout import _existing
from tests.workers import fan_out

pytestmark = pytest.mark.django_db

#: The queries of a post by the buyer and by the seller, by database.
POST_QUERIES = {"sqlite": (39, 40), "postgresql": (32, 33)}


def _opened(marketplace, shop, buyer) -> Case:
    order = late_order(marketplace, shop, buyer)
    SellerContactFactory(order=order, contacted_at=CONTACTED_AT)
    return case_open(
        actor=Actor.for_user(buyer), order=order, case_type=CaseType.ITEM_NOT_RECEIVED, description="No parcel."
    )


def _counted(write) -> int:
    with CaptureQueriesContext(connection) as captured:
        write()
    return len(captured)


def _offer_made_and_accepted(case: Case, seller, buyer) -> tuple[int, int]:
    made = _counted(
        lambda: case_offer_make(
            actor=Actor.for_user(seller), case=case, kind=OfferKind.PARTIAL_REFUND, amount=Money(700, "GBP")
        )
    )
    accepted = _counted(lambda: case_offer_accept(actor=Actor.for_user(buyer), case=case))
    return made, accepted


def _posted_by_each(order: Order, seller, buyer) -> tuple[int, int]:
    by_buyer = _counted(lambda: order_message_post(actor=Actor.for_user(buyer), order=order, body="Any news?"))
    by_seller = _counted(lambda: order_message_post(actor=Actor.for_user(seller), order=order, body="On its way."))
    return by_buyer, by_seller


def _longer_conversation(order: Order, buyer, n: int) -> None:
    thread = Thread.objects.get(order=order)
    Message.objects.bulk_create(
        Message(thread=thread, author=buyer, author_role="buyer", body=f"Earlier {i}.") for i in range(n)
    )


def test_an_offer_made_and_accepted_costs_the_same_queries_with_10_or_500_cases(
    marketplace, shop, seller, buyer, at_now, endpoint
):
    # given: three opened cases (the first warms the process's caches), their openings fanned out (each holds
    # its money at stake), and 10 other cases and orders
    warm_up, few_case, many_case = (_opened(marketplace, shop, buyer) for _ in range(3))
    fan_out()
    _existing(marketplace, shop, 10)
    _offer_made_and_accepted(warm_up, seller, buyer)
    # when
    few = _offer_made_and_accepted(few_case, seller, buyer)
    _existing(marketplace, shop, 490)
    many = _offer_made_and_accepted(many_case, seller, buyer)
    # then: the same exact counts (making 14, accepting 37 with the refund's ledger entries and who funds it: the
    # shop's standing, its parcels' tracking and the shop's month of guarantee, read once each); the release of the
    # payout hold (inline it cost 5 queries with no hold to release, 8 with one), the webhook, the conversation's line,
    # the notices and the live pushes are not among them: one outbox row each, fanned out after commit
    assert (few, many) == ((14, 37), (14, 37))


def test_an_open_through_the_service_costs_the_same_queries_with_10_or_1000_cases(
    marketplace, shop, buyer, at_now, endpoint
):
    # given: late orders the buyer contacted the seller about (the first warms the process's caches), and 10, then
    # 1,000 more cases and orders
    def contacted_late_order() -> Order:
        order = late_order(marketplace, shop, buyer)
        SellerContactFactory(order=order, contacted_at=CONTACTED_AT)
        return order

    warm_up, few_order, many_order = contacted_late_order(), contacted_late_order(), contacted_late_order()
    _existing(marketplace, shop, 10)
    actor = Actor.for_user(buyer)

    def open_on(order: Order) -> int:
        return _counted(
            lambda: case_open(actor=actor, order=order, case_type=CaseType.ITEM_NOT_RECEIVED, description="No parcel.")
        )

    open_on(warm_up)
    # when
    few = open_on(few_order)
    _existing(marketplace, shop, 990)
    many = open_on(many_order)
    # then: the same 9 however many cases exist (11 before, 12 before that, 51 with everything inline): no savepoint
    # of the open's own inside the test's transaction (outside any it is its own transaction), the order locked
    # (1), the policy, the contact, an open case for the same thing, the buyer's protection restriction (4; the
    # shipments are read only for a case whose window runs from delivery), the case (1), its event (1), the shop's
    # suspension (1), the fan-out's row (1)
    assert (few, many) == (9, 9)


def test_a_message_posted_costs_the_same_queries_with_10_or_500_cases_and_a_longer_conversation(
    marketplace, shop, seller, buyer, at_now, endpoint
):
    # given: three cases' orders with a conversation each (the first warms the caches), 10 other cases
    warm_up, few_case, many_case = (_opened(marketplace, shop, buyer) for _ in range(3))
    for case in (warm_up, few_case, many_case):
        _posted_by_each(case.order, seller, buyer)  # the buyer's contact, the seller's first reply, the thread
    _existing(marketplace, shop, 10)
    # when
    few = _posted_by_each(few_case.order, seller, buyer)
    _existing(marketplace, shop, 490)
    _longer_conversation(many_case.order, buyer, 200)
    many = _posted_by_each(many_case.order, seller, buyer)
    # then: the same exact counts for the buyer's post and the seller's (the history index of a message is an
    # FTS5 table of its own on SQLite, written in savepoints: 7 queries more in all than on PostgreSQL; one of each
    # post's is the unread counts of the thread's other people, kept on their rows in one update)
    expected = POST_QUERIES[connection.vendor]
    assert (few, many) == (expected, expected)
