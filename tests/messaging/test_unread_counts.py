"""The unread-messages badge: counts kept per (thread, person), exact, and as cheap at 30 threads as at 3.

The reference is the definition the badge had before the counts were kept, written out here: over
every thread the person may see, the messages of others after their read mark that they may see.
"""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.db import connection, transaction
from django.db.models import Count, IntegerField, OuterRef, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from marketdesk.core.actors import Actor
from marketdesk.messaging.models import Message, ThreadRead, UnreadCounted
from marketdesk.messaging.screening import messages_visible
from marketdesk.messaging.selectors import inbox_for_actor, threads_for_actor, unread_total
from marketdesk.messaging.services import (
    order_message_post,
    thread_operators_join,
    thread_read,
    thread_system_post,
    unread_counts_ensure,
)
from marketdesk.orders.states import OrderStatus
from marketdesk.safety.models import MessageFlag
from marketdesk.safety.services import message_flag_block, message_flag_release
from tests import factories
from tests.cases.conftest import client_as

pytestmark = pytest.mark.django_db

PAYMENT = "переведите мне на карту напрямую, пишите в телеграм"  # a seller's: held for review
CONTACT = "My number is +44 7700 900123, call me"  # a seller's: delivered with a warning


def reference_unread(user) -> int:
    """The badge as it was computed before the counts were kept (every thread, every message counted)."""
    actor = Actor.for_user(user)
    last_read = ThreadRead.objects.filter(thread=OuterRef(OuterRef("pk")), user=user).values("last_read_message_id")
    newer = (
        Message.objects.filter(messages_visible(actor), thread=OuterRef("pk"))
        .filter(id__gt=Coalesce(Subquery(last_read[:1]), Value(0)))
        .exclude(author_id=user.pk)
        .order_by()
        .values("thread")
        .annotate(n=Count("id"))
        .values("n")
    )
    threads = threads_for_actor(actor).annotate(unread=Coalesce(Subquery(newer, output_field=IntegerField()), Value(0)))
    return int(threads.aggregate(total=Coalesce(Sum("unread"), Value(0)))["total"])


def post(user, order, body):
    return order_message_post(actor=Actor.for_user(user), order=order, body=body)


def read(user, order):
    actor = Actor.for_user(user)
    thread_read(actor=actor, thread_id=threads_for_actor(actor).get(order=order).pk)


def badge(user) -> int:
    return unread_total(Actor.for_user(user))


def counted(*users) -> None:
    """Each person's first page: their counts are taken once and kept from then on."""
    for user in users:
        unread_counts_ensure(actor=Actor.for_user(user))


def flag_of(message) -> MessageFlag:
    return MessageFlag.objects.get(message=message)


@pytest.fixture
def orders(marketplace, shop, buyer, other_buyer):
    make = factories.OrderFactory
    return [
        make(marketplace=marketplace, shop=shop, buyer=buyer, status=OrderStatus.SHIPPED),
        make(marketplace=marketplace, shop=shop, buyer=buyer, status=OrderStatus.SHIPPED),
        make(marketplace=marketplace, shop=shop, buyer=other_buyer, status=OrderStatus.SHIPPED),
    ]


def test_the_kept_badge_equals_the_reference_through_holds_releases_blocks_reads_and_a_new_member(
    marketplace, shop, seller, buyer, other_buyer, operator, orders
):
    # Given a shop with one member, two buyers and three conversations begun, everyone counted since
    first, second, third = orders
    post(buyer, first, "Where is my parcel?")
    post(other_buyer, third, "Wrong colour.")
    post(seller, second, "Your parcel left today.")
    read(buyer, second)
    people = [seller, buyer, other_buyer]
    counted(*people)
    assert UnreadCounted.objects.filter(user__in=people).count() == 3

    # When the buyer writes again, the seller answers one and asks another to pay off the platform (held)
    post(buyer, first, "Any news?")
    post(seller, first, "Shipped yesterday.")
    held = post(seller, second, PAYMENT)
    # Then the seller has three unread, the buyer one (the held message does not exist for them)
    assert [badge(p) for p in people] == [3, 1, 0]
    assert [badge(p) for p in people] == [reference_unread(p) for p in people]

    # When support releases the held message and a system line is added to the third conversation
    message_flag_release(actor=Actor.for_user(operator), flag_id=flag_of(held).pk)
    with transaction.atomic():
        thread_system_post(order=third, event="case.escalated", data={"case": 1})
    # Then the buyer sees the released one, and both parties of the third count the system line
    assert [badge(p) for p in people] == [4, 2, 1]
    assert [badge(p) for p in people] == [reference_unread(p) for p in people]

    # When the seller reads the first conversation and the buyer reads the second
    read(seller, first)
    read(buyer, second)
    assert [badge(p) for p in people] == [2, 1, 1]
    assert [badge(p) for p in people] == [reference_unread(p) for p in people]

    # When a colleague joins the shop after all this, before and after their first page
    colleague = factories.MembershipFactory(shop=shop).user
    people.append(colleague)
    before_counting = badge(colleague)
    counted(colleague)
    # Then they have every message of others unread, counted live at first and kept after
    assert (before_counting, badge(colleague)) == (7, 7)
    assert UnreadCounted.objects.filter(user=colleague).count() == 1

    # When the seller sends a contact (delivered with a warning) and support then blocks it
    warned = post(seller, second, CONTACT)
    assert [badge(p) for p in people] == [2, 2, 1, 8]
    message_flag_block(actor=Actor.for_user(operator), flag_id=flag_of(warned).pk)
    # Then it no longer waits for the buyer nor the colleague
    assert [badge(p) for p in people] == [2, 1, 1, 7]
    assert [badge(p) for p in people] == [reference_unread(p) for p in people]


def test_a_held_message_released_after_the_reader_read_past_it_stays_read(seller, buyer, operator, orders):
    # Given a held payment request and, after it, the seller's apology, which the buyer reads
    post(buyer, orders[0], "Hello?")
    counted(seller, buyer)
    held = post(seller, orders[0], PAYMENT)
    post(seller, orders[0], "Sorry, please ignore that.")
    read(buyer, orders[0])

    # When support releases the held one
    message_flag_release(actor=Actor.for_user(operator), flag_id=flag_of(held).pk)

    # Then it is older than the buyer's read mark: nothing waits, as the reference says
    assert (badge(buyer), reference_unread(buyer)) == (0, 0)


def test_a_person_not_yet_counted_reads_the_same_live_and_their_first_page_counts_them(client, seller, buyer, orders):
    # Given messages written before anyone's counts were kept
    post(buyer, orders[0], "Hello?")
    post(buyer, orders[1], "Still there?")
    post(seller, orders[0], "Yes!")
    assert (badge(seller), badge(buyer)) == (2, 1)

    # When each opens a page
    pages = [client_as(person).get(reverse("messaging:inbox")) for person in (seller, buyer)]

    # Then the pages show the same counts and both are counted from now on
    assert [page.status_code for page in pages] == [200, 200]
    assert UnreadCounted.objects.filter(user__in=[seller, buyer]).count() == 2
    assert (badge(seller), badge(buyer)) == (2, 1)
    post(buyer, orders[1], "Hello again")
    assert (badge(seller), badge(buyer)) == (3, 1)


def test_a_seller_who_leaves_and_joins_again_is_counted_afresh(shop, seller, buyer, orders):
    # Given a counted colleague who leaves the shop while the buyer goes on writing
    colleague = factories.MembershipFactory(shop=shop).user
    post(buyer, orders[0], "One")
    counted(seller, colleague)
    colleague.memberships.all().delete()
    post(buyer, orders[0], "Two")
    assert badge(colleague) == 0

    # When they join again
    factories.MembershipFactory(shop=shop, user=colleague)

    # Then they have both messages unread, before and after their first page
    assert badge(colleague) == 2
    counted(colleague)
    assert (badge(colleague), reference_unread(colleague)) == (2, 2)


def test_support_keeps_the_live_count(seller, buyer, operator, orders):
    # Given a held message of the seller in a conversation support has joined
    with transaction.atomic():
        thread_operators_join(order=orders[0])
    post(seller, orders[0], PAYMENT)

    # When support asks for its count (it sees held messages, and keeps no counted rows)
    total = badge(operator)

    # Then it is the reference's
    assert (total, reference_unread(operator)) == (1, 1)


# Cost: what the badge and the inbox read does not grow with the number of conversations


def _queries(run) -> list[str]:
    with CaptureQueriesContext(connection) as captured:
        run()
    return [q["sql"] for q in captured.captured_queries]


def _conversations(marketplace, shop, buyer, seller, count):
    for _ in range(count):
        order = factories.OrderFactory(marketplace=marketplace, shop=shop, buyer=buyer, status=OrderStatus.SHIPPED)
        post(buyer, order, "Where is it?")
        post(seller, order, "On its way.")


@pytest.mark.parametrize("role", ["seller", "buyer"])
def test_the_badge_takes_the_same_queries_for_3_and_30_conversations_and_counts_no_message(
    marketplace, shop, buyer, seller, role
):
    person = {"seller": seller, "buyer": buyer}[role]
    _conversations(marketplace, shop, buyer, seller, 3)
    counted(seller, buyer)
    with_3 = _queries(lambda: badge(person))
    _conversations(marketplace, shop, buyer, seller, 27)

    with_30 = _queries(lambda: badge(person))

    assert (len(with_30), badge(seller), badge(buyer)) == (len(with_3), 30, 30)
    assert [sql for sql in with_30 if Message._meta.db_table in sql] == []


def test_the_inbox_takes_the_same_queries_for_3_and_30_conversations(marketplace, shop, buyer, seller):
    client = client_as(seller)
    _conversations(marketplace, shop, buyer, seller, 3)
    counted(seller)
    with_3 = _queries(lambda: client.get(reverse("messaging:inbox")))
    _conversations(marketplace, shop, buyer, seller, 27)

    with_30 = _queries(lambda: client.get(reverse("messaging:inbox")))
    threads = list(inbox_for_actor(Actor.for_user(seller)))

    assert len(with_30) == len(with_3)
    assert ([t.unread for t in threads], [sql for sql in with_30 if Message._meta.db_table in sql]) == ([1] * 30, [])


def test_the_upgrade_command_counts_everyone_with_threads_once(shop, seller, buyer, other_buyer, orders):
    # Given conversations from before anyone's counts were kept, and a colleague with nothing to count yet
    post(buyer, orders[0], "Hello?")
    post(seller, orders[2], "Your parcel left today.")
    lurker = factories.BuyerFactory(marketplace=shop.marketplace)

    # When the command runs, twice
    call_command("unread_counts_ensure", stdout=io.StringIO())
    call_command("unread_counts_ensure", stdout=io.StringIO())

    # Then the seller and both buyers are counted once each (the lurker has nothing to count), and read the same
    marks = list(UnreadCounted.objects.order_by("user_id").values_list("user_id", flat=True))
    assert marks == sorted([seller.pk, buyer.pk, other_buyer.pk])
    assert not UnreadCounted.objects.filter(user=lurker).exists()
    assert [badge(p) for p in (seller, buyer, other_buyer)] == [1, 0, 1]
