"""Buyer-restriction pages: the operator restricts from the workspace, lists, decides or lifts; the buyer reads and appeals.

Every page as each role, the refused ones included; bad input is answered with a translated message and
writes nothing; another buyer's restriction is a 404.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse

from marketdesk.core import clock
from marketdesk.core.actors import Actor
from marketdesk.core.models import OutboxMessage
from marketdesk.notifications.models import Notification
from marketdesk.risk.models import BuyerRestriction
from marketdesk.risk.services import buyer_restrict, buyer_restriction_appeal
from marketdesk.risk.states import RestrictionStatus
from tests import factories
from tests.risk.conftest import _case, _order

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 11, 26, 12, 0, tzinfo=dt.UTC)  # the frozen clock; 7 days of notice end on 3 Dec at noon
NOTICE = "Three claims on parcels signed for: orders O-1, O-2, O-3."


def client_as(user) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


@pytest.fixture
def case(frozen_clock, shop, buyer):
    return _case(_order(buyer, shop))


@pytest.fixture
def second_operator(marketplace):
    return factories.OperatorFactory(marketplace=marketplace)


@pytest.fixture
def restriction(case, buyer, operator):
    return buyer_restrict(actor=Actor.for_user(operator), buyer=buyer, reason=NOTICE)


@pytest.fixture
def appealed(restriction, buyer):
    return buyer_restriction_appeal(actor=Actor.for_user(buyer), restriction=restriction, text="A neighbour signed.")


def _restrict(user, case, **data):
    return client_as(user).post(reverse("risk:case_restrict", args=[case.pk]), {"reason": NOTICE, **data})


# The operator restricts from the workspace


def test_the_workspace_risk_panel_offers_the_restrict_form(case, operator):
    page = client_as(operator).get(reverse("cases:workspace", args=[case.pk])).content.decode()

    assert ("data-restrict-form" in page, reverse("risk:case_restrict", args=[case.pk]) in page) == (True, True)


def test_the_operator_restricts_with_a_date_after_the_notice_and_the_buyer_is_told(case, buyer, operator):
    # when
    response = _restrict(operator, case, effective_at="2026-12-10")

    # then
    row = BuyerRestriction.objects.get()
    assert (response.status_code, response["Location"]) == (302, reverse("risk:restriction", args=[row.pk]))
    assert (row.buyer, row.reason, row.effective_at) == (buyer, NOTICE, dt.datetime(2026, 12, 10, tzinfo=dt.UTC))
    note = Notification.objects.get(user=buyer)
    assert (note.kind, note.url, note.message_body) == (
        "protection.restricted",
        reverse("risk:buyer_restriction", args=[row.pk]),
        NOTICE,
    )


def test_the_day_the_notice_ends_starts_when_it_ends(case, operator):
    _restrict(operator, case, effective_at="2026-12-03")

    assert BuyerRestriction.objects.get().effective_at == NOW + dt.timedelta(days=7)


def test_no_date_means_when_the_notice_ends(case, operator):
    _restrict(operator, case, effective_at="")

    assert BuyerRestriction.objects.get().effective_at == NOW + dt.timedelta(days=7)


@pytest.mark.parametrize(
    ("data", "status", "message"),
    [
        ({"effective_at": "2026-12-02"}, 422, "A restriction starts after its notice"),
        ({"effective_at": "2026-11-20"}, 422, "A restriction starts after its notice"),
        ({"effective_at": "2028-01-01"}, 422, "Choose an effective date within a year."),
        ({"effective_at": "not a date"}, 422, "Enter a valid date."),
        ({"effective_at": "2026-02-30"}, 422, "Enter a valid date."),
        ({"reason": ""}, 422, "This field is required."),
        ({"reason": "   "}, 422, "This field is required."),
        ({"reason": "x" * 2001}, 422, "Ensure this value has at most 2000 characters"),
        ({"reason": "Claims\x00"}, 422, "Null characters are not allowed."),
    ],
)
def test_bad_input_is_answered_beside_its_field_and_nothing_is_written(case, operator, data, status, message):
    # when
    response = _restrict(operator, case, **data)

    # then
    assert (response.status_code, message in response.content.decode()) == (status, True)
    assert (BuyerRestriction.objects.count(), Notification.objects.count()) == (0, 0)


def test_an_early_date_is_refused_in_russian(case, operator):
    # given
    operator.language = "ru"
    operator.save(update_fields=["language"])
    client = client_as(operator)

    # when
    response = client.post(
        reverse("risk:case_restrict", args=[case.pk]),
        {"reason": NOTICE, "effective_at": "2026-12-02"},
    )

    # then
    assert (response.status_code, "Ограничение начинается после уведомления" in response.content.decode()) == (
        422,
        True,
    )
    assert BuyerRestriction.objects.count() == 0


def test_a_second_restriction_while_one_binds_is_a_conflict(case, operator, restriction):
    response = _restrict(operator, case, effective_at="2026-12-10")

    assert (response.status_code, "restricted already" in response.content.decode()) == (409, True)
    assert BuyerRestriction.objects.count() == 1


def test_the_panel_shows_the_binding_restriction_instead_of_the_form(case, operator, restriction):
    page = client_as(operator).get(reverse("cases:workspace", args=[case.pk])).content.decode()

    assert ("data-restrict-form" in page, reverse("risk:restriction", args=[restriction.pk]) in page) == (False, True)


@pytest.mark.parametrize(("role", "status"), [("buyer", 404), ("seller", 404), ("anonymous", 302)])
def test_nobody_but_support_restricts(case, buyer, seller, role, status):
    user = {"buyer": buyer, "seller": seller, "anonymous": None}[role]

    response = _restrict(user, case, effective_at="2026-12-10")

    assert (response.status_code, BuyerRestriction.objects.count()) == (status, 0)


def test_support_of_another_marketplace_cannot_restrict(case, other_marketplace):
    response = _restrict(factories.OperatorFactory(marketplace=other_marketplace), case, effective_at="2026-12-10")

    assert (response.status_code, BuyerRestriction.objects.count()) == (404, 0)


# The console list


def _restrictions(count, marketplace, operator, *, appeal_every=0):
    rows = []
    for n in range(count):
        buyer = factories.BuyerFactory(marketplace=marketplace)
        with clock.frozen(NOW + dt.timedelta(minutes=n)):
            row = buyer_restrict(actor=Actor.for_user(operator), buyer=buyer, reason=f"Notice {n}")
            if appeal_every and n % appeal_every == 0:
                row = buyer_restriction_appeal(actor=Actor.for_user(buyer), restriction=row, text="Not me.")
        rows.append(row)
    return rows


def test_the_list_shows_waiting_appeals_first_then_the_newest(frozen_clock, marketplace, operator):
    # given five restrictions, the first and the fourth appealed
    rows = _restrictions(5, marketplace, operator, appeal_every=3)

    # when
    page = client_as(operator).get(reverse("risk:restrictions")).content.decode()

    # then
    order = [rows[i].pk for i in (3, 0, 4, 2, 1)]
    positions = [page.index(f'data-restriction-row="{pk}"') for pk in order]
    assert positions == sorted(positions)


def test_the_list_pages_by_keyset_and_reaches_every_row_once(frozen_clock, marketplace, operator):
    # given 30 restrictions (a page holds 25), every fifth appealed
    rows = _restrictions(30, marketplace, operator, appeal_every=5)
    client = client_as(operator)

    # when
    first = client.get(reverse("risk:restrictions"))
    cursor = first.context["next_cursor"]
    second = client.get(reverse("risk:restrictions"), {"after": cursor})

    # then
    seen = [item["restriction"].pk for r in (first, second) for item in r.context["items"]]
    assert (len(seen), set(seen), second.context["next_cursor"]) == (30, {r.pk for r in rows}, "")
    assert seen[:6] == sorted((r.pk for r in rows[::5]), reverse=True)


@pytest.mark.parametrize("count", [3, 25])
def test_the_list_costs_the_same_queries_however_long(
    frozen_clock, marketplace, operator, count, django_assert_num_queries
):
    # given
    _restrictions(count, marketplace, operator, appeal_every=2)
    client = client_as(operator)

    # then: session, user, the page of restrictions with their people, the bell's unread count
    with django_assert_num_queries(4):
        assert client.get(reverse("risk:restrictions")).status_code == 200


def test_a_broken_cursor_shows_the_first_page(frozen_clock, marketplace, operator):
    _restrictions(2, marketplace, operator)

    response = client_as(operator).get(reverse("risk:restrictions"), {"after": "x_not-a-date_y"})

    assert (response.status_code, len(response.context["items"])) == (200, 2)


def test_support_of_another_marketplace_sees_none_of_them(frozen_clock, marketplace, operator, other_marketplace):
    _restrictions(2, marketplace, operator)

    response = client_as(factories.OperatorFactory(marketplace=other_marketplace)).get(reverse("risk:restrictions"))

    assert (response.status_code, response.context["items"]) == (200, [])


@pytest.mark.parametrize(("role", "status"), [("buyer", 403), ("seller", 403), ("admin", 200), ("anonymous", 302)])
def test_the_list_as_each_role(frozen_clock, buyer, seller, admin_user, role, status):
    user = {"buyer": buyer, "seller": seller, "admin": admin_user, "anonymous": None}[role]

    assert client_as(user).get(reverse("risk:restrictions")).status_code == status


def test_the_console_navigation_links_the_list(operator):
    page = client_as(operator).get(reverse("console:queue")).content.decode()

    assert f'href="{reverse("risk:restrictions")}"' in page


# The operator's page: decide the appeal, lift


def test_another_operator_rejects_the_appeal_and_the_buyer_reads_the_answer(appealed, buyer, second_operator):
    # when
    response = client_as(second_operator).post(
        reverse("risk:restriction_decide", args=[appealed.pk]), {"accept": "0", "answer": "The signature is yours."}
    )

    # then
    appealed.refresh_from_db()
    assert (response.status_code, appealed.status, appealed.appeal_answer) == (
        302,
        RestrictionStatus.ACTIVE,
        "The signature is yours.",
    )
    assert Notification.objects.filter(user=buyer).order_by("pk").last().kind == "protection.appeal_decided"


def test_another_operator_accepts_the_appeal(appealed, second_operator):
    client_as(second_operator).post(
        reverse("risk:restriction_decide", args=[appealed.pk]), {"accept": "1", "answer": "Fair enough."}
    )

    appealed.refresh_from_db()
    assert (appealed.status, appealed.ended_at) == (RestrictionStatus.REVOKED, NOW)


def test_the_operator_who_restricted_is_told_another_decides(appealed, operator):
    # when
    page = client_as(operator).get(reverse("risk:restriction", args=[appealed.pk])).content.decode()
    response = client_as(operator).post(
        reverse("risk:restriction_decide", args=[appealed.pk]), {"accept": "1", "answer": "Fine."}
    )

    # then
    assert "another operator decides the appeal" in page
    assert response.status_code == 403
    appealed.refresh_from_db()
    assert appealed.status == RestrictionStatus.APPEALED


@pytest.mark.parametrize(
    ("data", "message"),
    [({"accept": "1", "answer": ""}, "This field is required."), ({"answer": "No."}, "This field is required.")],
)
def test_a_decision_without_an_answer_or_a_choice_writes_nothing(appealed, second_operator, data, message):
    response = client_as(second_operator).post(reverse("risk:restriction_decide", args=[appealed.pk]), data)

    appealed.refresh_from_db()
    assert (response.status_code, message in response.content.decode(), appealed.status) == (
        422,
        True,
        RestrictionStatus.APPEALED,
    )


def test_the_operator_lifts_a_restriction_and_the_buyer_is_told(restriction, buyer, operator):
    response = client_as(operator).post(reverse("risk:restriction_lift", args=[restriction.pk]))

    restriction.refresh_from_db()
    assert (response.status_code, restriction.status) == (302, RestrictionStatus.LIFTED)
    assert Notification.objects.filter(user=buyer).order_by("pk").last().kind == "protection.lifted"


def test_an_appealed_restriction_cannot_be_lifted(appealed, second_operator):
    response = client_as(second_operator).post(reverse("risk:restriction_lift", args=[appealed.pk]))

    appealed.refresh_from_db()
    assert (response.status_code, appealed.status) == (409, RestrictionStatus.APPEALED)


@pytest.mark.parametrize(
    ("role", "status"), [("buyer", 404), ("other_buyer", 404), ("seller", 404), ("admin", 200), ("anonymous", 302)]
)
def test_the_operators_page_as_each_role(restriction, buyer, other_buyer, seller, admin_user, role, status):
    user = {"buyer": buyer, "other_buyer": other_buyer, "seller": seller, "admin": admin_user, "anonymous": None}[role]

    assert client_as(user).get(reverse("risk:restriction", args=[restriction.pk])).status_code == status


@pytest.mark.parametrize("action", ["restriction_decide", "restriction_lift"])
def test_the_buyer_and_other_support_cannot_act(appealed, buyer, other_marketplace, action):
    outsider = factories.OperatorFactory(marketplace=other_marketplace)

    responses = [
        client_as(u).post(reverse(f"risk:{action}", args=[appealed.pk]), {"accept": "1", "answer": "Ok."})
        for u in (buyer, outsider)
    ]

    appealed.refresh_from_db()
    assert ([r.status_code for r in responses], appealed.status) == ([404, 404], RestrictionStatus.APPEALED)


# The buyer's page


def test_the_buyer_reads_the_notice_the_date_and_what_it_means(restriction, buyer):
    page = client_as(buyer).get(reverse("risk:buyer_restriction", args=[restriction.pk])).content.decode()

    assert NOTICE in page
    assert "Cases opened after Thu 3 Dec, 12:00 are not covered by buyer protection." in page
    assert 'name="text"' in page


def test_the_buyer_reads_it_in_russian(restriction, buyer):
    buyer.language = "ru"
    buyer.save(update_fields=["language"])

    page = client_as(buyer).get(reverse("risk:buyer_restriction", args=[restriction.pk])).content.decode()

    assert "Споры, открытые после" in page
    assert "не покрываются защитой покупателя" in page


def test_the_notification_and_its_email_lead_to_the_page(restriction, buyer):
    note = Notification.objects.get(user=buyer)

    assert note.url == reverse("risk:buyer_restriction", args=[restriction.pk])
    assert OutboxMessage.objects.filter(payload__notification_id=note.pk).count() == 1
    assert client_as(buyer).get(note.url).status_code == 200


def test_the_buyer_appeals_once(restriction, buyer):
    client = client_as(buyer)

    # when
    first = client.post(reverse("risk:buyer_appeal", args=[restriction.pk]), {"text": "A neighbour signed."})
    page = client.get(reverse("risk:buyer_restriction", args=[restriction.pk])).content.decode()
    second = client.post(reverse("risk:buyer_appeal", args=[restriction.pk]), {"text": "Again."})

    # then
    restriction.refresh_from_db()
    assert (first.status_code, second.status_code) == (302, 409)
    assert (restriction.status, restriction.appeal_text) == (RestrictionStatus.APPEALED, "A neighbour signed.")
    assert ('name="text"' in page, "data-appeal-waiting" in page) == (False, True)


@pytest.mark.parametrize(
    ("text", "message"), [("", "This field is required."), ("x" * 2001, "at most 2000 characters")]
)
def test_an_empty_or_long_appeal_writes_nothing(restriction, buyer, text, message):
    response = client_as(buyer).post(reverse("risk:buyer_appeal", args=[restriction.pk]), {"text": text})

    restriction.refresh_from_db()
    assert (response.status_code, message in response.content.decode(), restriction.appealed_at) == (422, True, None)


@pytest.mark.parametrize(
    ("role", "status"), [("other_buyer", 404), ("seller", 404), ("operator", 404), ("anonymous", 302)]
)
def test_the_buyers_page_as_each_other_role(restriction, other_buyer, seller, operator, role, status):
    user = {"other_buyer": other_buyer, "seller": seller, "operator": operator, "anonymous": None}[role]

    responses = [
        client_as(user).get(reverse("risk:buyer_restriction", args=[restriction.pk])),
        client_as(user).post(reverse("risk:buyer_appeal", args=[restriction.pk]), {"text": "Me too."}),
    ]

    restriction.refresh_from_db()
    assert ([r.status_code for r in responses], restriction.appealed_at) == ([status, status], None)


def test_get_help_links_the_buyers_restriction(case, restriction, buyer):
    page = client_as(buyer).get(reverse("cases:get_help", args=[case.order_id])).content.decode()

    assert "data-protection-notice" in page
    assert reverse("risk:buyer_restriction", args=[restriction.pk]) in page


def test_get_help_says_nothing_to_an_unrestricted_buyer(case, buyer):
    page = client_as(buyer).get(reverse("cases:get_help", args=[case.order_id])).content.decode()

    assert "data-protection-notice" not in page
