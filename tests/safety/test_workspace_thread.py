"""The case workspace shows the order's conversation: a flagged message marked for support, released or blocked there.

The parties never see the flag: the buyer does not see a held message at all, its author reads only that it is
under review, and neither gets the workspace.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from marketdesk.core.actors import Actor
from marketdesk.messaging.services import order_message_post, thread_operators_join
from marketdesk.safety.models import MessageFlag
from marketdesk.safety.states import FlagStatus
from tests.cases.conftest import client_as
from tests.risk.conftest import _case, _order
from tests.safety.conftest import PAYMENT

pytestmark = pytest.mark.django_db

FLAG_MARKS = ('data-note="flag"', "data-note-actions", "Flagged:", "/console/flagged-messages/")


@pytest.fixture
def case(frozen_clock, shop, buyer, seller):
    return _case(_order(buyer, shop))


@pytest.fixture
def flag(case, buyer, seller):
    order_message_post(actor=Actor.for_user(buyer), order=case.order, body="Where is my lamp?")
    message = order_message_post(actor=Actor.for_user(seller), order=case.order, body=PAYMENT)
    thread_operators_join(order=case.order)  # the case was escalated: support joins the conversation
    return MessageFlag.objects.get(message=message)


def _workspace(user, case):
    return client_as(user).get(reverse("cases:workspace", args=[case.pk]))


def test_the_workspace_thread_marks_the_held_message_with_its_actions(case, flag, operator):
    # when
    page = _workspace(operator, case).content.decode()

    # then
    assert ("data-workspace-thread" in page, PAYMENT in page, "Where is my lamp?" in page) == (True, True, True)
    assert 'data-note="flag"' in page
    assert reverse("safety:release", args=[flag.pk]) in page
    assert reverse("safety:block", args=[flag.pk]) in page


def test_the_operator_blocks_from_the_workspace_and_comes_back_to_it(case, flag, operator):
    # given
    back = reverse("cases:workspace", args=[case.pk])

    # when
    response = client_as(operator).post(reverse("safety:block", args=[flag.pk]), {"next": back})

    # then
    flag.refresh_from_db()
    assert (response.status_code, response["Location"], flag.status) == (302, back, FlagStatus.BLOCKED)
    assert "data-note-actions" not in _workspace(operator, case).content.decode()


def test_the_operator_releases_from_the_workspace(case, flag, operator, buyer):
    # when
    client_as(operator).post(
        reverse("safety:release", args=[flag.pk]), {"next": reverse("cases:workspace", args=[case.pk])}
    )

    # then
    flag.refresh_from_db()
    buyer_page = client_as(buyer).get(reverse("messaging:conversation", args=[case.order_id])).content.decode()
    assert (flag.status, PAYMENT in buyer_page) == (FlagStatus.RELEASED, True)
    assert [mark for mark in FLAG_MARKS if mark in buyer_page] == []


def test_a_next_address_elsewhere_is_ignored(case, flag, operator):
    response = client_as(operator).post(reverse("safety:block", args=[flag.pk]), {"next": "https://evil.example/"})

    assert (response.status_code, response["Location"]) == (302, reverse("safety:flag", args=[flag.pk]))


def test_before_support_joins_the_workspace_says_so(case, operator):
    page = _workspace(operator, case).content.decode()

    assert "Support reads the conversation once a case about this order is escalated." in page


def test_the_buyer_never_sees_the_held_message_nor_its_flag(case, flag, buyer):
    # when
    conversation = client_as(buyer).get(reverse("messaging:conversation", args=[case.order_id]))
    workspace = _workspace(buyer, case)

    # then
    assert (conversation.status_code, workspace.status_code) == (200, 404)
    page = conversation.content.decode()
    assert (PAYMENT in page, [mark for mark in FLAG_MARKS if mark in page]) == (False, [])


def test_the_seller_reads_only_that_it_is_under_review(case, flag, seller):
    # when
    conversation = client_as(seller).get(reverse("messaging:conversation", args=[case.order_id]))
    workspace = _workspace(seller, case)

    # then
    assert (conversation.status_code, workspace.status_code) == (200, 404)
    page = conversation.content.decode()
    assert ("Under review" in page, [mark for mark in FLAG_MARKS if mark in page]) == (True, [])


@pytest.mark.parametrize("action", ["release", "block"])
def test_the_parties_cannot_release_or_block(case, flag, buyer, seller, action):
    responses = [client_as(u).post(reverse(f"safety:{action}", args=[flag.pk])) for u in (buyer, seller)]

    flag.refresh_from_db()
    assert ([r.status_code for r in responses], flag.status) == ([404, 404], FlagStatus.HELD)
