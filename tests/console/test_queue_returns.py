"""Returns' open deadlines in the one queue: their own rows, in the cases' deadline order, scoped, never claimable."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from marketdesk.console.deadlines import Calendars, Owner, return_clock
from marketdesk.console.selectors.queue import QueueFilters, queue_counts
from marketdesk.console.selectors.queue_pages import queue_keys, queue_rows
from marketdesk.core.actors import Actor
from marketdesk.core.calendar import calendar_for
from marketdesk.returns.models import Return
from marketdesk.returns.states import ReturnStatus
from marketdesk.web.presenters import deadline_countdown
from tests.console.conftest import a_return, client_as

pytestmark = pytest.mark.django_db

HOUR = dt.timedelta(hours=1)


def keys(user, **filters) -> list[tuple[str, int]]:
    return [(kind, pk) for pk, kind, _due in queue_keys(Actor.for_user(user), QueueFilters(**filters))]


def test_returns_deadlines_share_one_order_with_the_cases(escalated, operator, marketplace, at_now):
    # escalated: support decides within 48 h from now.
    now = at_now.now()
    to_decide = a_return(marketplace, ReturnStatus.REQUESTED, now + HOUR)
    to_refund = a_return(marketplace, ReturnStatus.RECEIVED, now + 30 * HOUR)
    to_ship = a_return(marketplace, ReturnStatus.APPROVED, now + 100 * HOUR)
    a_return(marketplace, ReturnStatus.SHIPPED, now + 2 * HOUR)  # in transit: nobody's move
    a_return(marketplace, ReturnStatus.REFUNDED, now + 3 * HOUR)  # done

    assert keys(operator) == [
        ("return", to_decide.pk),
        ("return", to_refund.pk),
        ("case", escalated.pk),
        ("return", to_ship.pk),
    ]


def test_each_return_clock_has_its_owner_and_business_day_countdown(marketplace, operator, at_now):
    now = at_now.now()
    a_return(marketplace, ReturnStatus.REQUESTED, now + HOUR)
    a_return(marketplace, ReturnStatus.RECEIVED, now + 30 * HOUR)
    a_return(marketplace, ReturnStatus.APPROVED, now + 100 * HOUR)
    calendar = calendar_for(marketplace.calendar_code or None)

    rows = queue_rows(list(queue_keys(Actor.for_user(operator), QueueFilters())))
    clocks = [return_clock(row, Calendars()) for row in rows]

    assert [(c.owner, str(c.purpose), c.paused) for c in clocks] == [
        (Owner.SELLER, "Approve or refuse the return", False),
        (Owner.SELLER, "Refund due after the return", False),
        (Owner.BUYER, "Ship the return back", False),
    ]
    assert [c.countdown.text for c in clocks] == [
        deadline_countdown(c.due_at, calendar=calendar, now=now).text for c in clocks
    ]


def test_returns_view_and_at_risk_take_returns_due_within_24_hours(escalated, operator, marketplace, at_now):
    now = at_now.now()
    soon = a_return(marketplace, ReturnStatus.RECEIVED, now + 23 * HOUR)
    later = a_return(marketplace, ReturnStatus.APPROVED, now + 25 * HOUR)

    assert keys(operator, view="returns") == [("return", soon.pk), ("return", later.pk)]
    assert keys(operator, view="at_risk") == [("return", soon.pk)]
    counts = queue_counts(Actor.for_user(operator))
    assert (counts["returns"], counts["at_risk"], counts["all"]) == (2, 1, 3)


def test_case_only_views_and_filters_leave_returns_out(escalated, operator, marketplace, shop, at_now):
    mine = a_return(marketplace, ReturnStatus.REQUESTED, at_now.now() + HOUR, shop=shop)
    a_return(marketplace, ReturnStatus.REQUESTED, at_now.now() + HOUR)  # another seller's

    assert keys(operator, view="escalated") == [("case", escalated.pk)]
    assert keys(operator, view="unassigned") == [("case", escalated.pk)]
    assert keys(operator, category="item_not_received") == [("case", escalated.pk)]
    assert keys(operator, seller=shop.pk) == [("return", mine.pk), ("case", escalated.pk)]


def test_another_marketplaces_return_never_shows(operator, other_operator, marketplace, other_marketplace, at_now):
    ours = a_return(marketplace, ReturnStatus.REQUESTED, at_now.now() + HOUR)
    theirs = a_return(other_marketplace, ReturnStatus.REQUESTED, at_now.now() + HOUR)

    page = client_as(operator).get(reverse("console:queue")).content.decode()

    assert keys(operator) == [("return", ours.pk)]
    assert keys(other_operator) == [("return", theirs.pk)]
    assert ours.code in page
    assert theirs.code not in page
    assert queue_counts(Actor.for_user(operator))["returns"] == 1


def test_the_page_links_a_return_row_to_its_page_without_a_claim(escalated, operator, marketplace, at_now):
    ret = a_return(marketplace, ReturnStatus.RECEIVED, at_now.now() + HOUR)
    client = client_as(operator)

    page = client.get(reverse("console:queue") + "?view=returns").content.decode()

    assert reverse("returns:return_detail", args=[ret.pk]) in page
    assert "Refund due after the return" in page
    assert 'name="cases"' not in page
    assert reverse("console:claim", args=[escalated.pk]) not in page
    assert client.get(reverse("returns:return_detail", args=[ret.pk])).status_code == 200


def test_bulk_claim_ignores_a_returns_id(escalated, operator, marketplace, at_now):
    ret = a_return(marketplace, ReturnStatus.REQUESTED, at_now.now() + HOUR)

    client_as(operator).post(reverse("console:bulk"), {"action": "claim", "cases": [str(ret.pk)]})

    assert Return.objects.get(pk=ret.pk).status == ReturnStatus.REQUESTED
