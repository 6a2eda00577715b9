"""The cases API: each caller reads the cases it may see, the marketplace opens them for its buyers."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from marketdesk.accounts.services import api_key_create
from marketdesk.api.models import IdempotencyRecord
from marketdesk.cases.models import Case, CaseNote, CaseType, OfferKind, Party, SellerContact
from marketdesk.cases.services import opening
from marketdesk.cases.services.decisions import case_appeal, case_appeal_decide
from marketdesk.cases.services.offers import case_escalate, case_offer_decline, case_offer_make, case_withdraw
from marketdesk.cases.services.review import case_info_provide, case_info_request, case_review_start
from marketdesk.cases.states import CaseStatus
from marketdesk.core.actors import Actor
from marketdesk.core.models import OutboxMessage, TimelineEvent
from marketdesk.core.money import Money
from marketdesk.orders.models import OrderLine
from tests import factories
from tests.api.helpers import PROBLEM, session_client
from tests.cases.conftest import EXPIRES, NOW, SELLER_DUE, decide_full_refund, fresh
from tests.cases.factories import CaseFactory

pytestmark = pytest.mark.django_db

CASES = "/api/v1/cases"
SECRET_NOTE = "Internal: the seller is on a final warning."


def case_url(case: Case) -> str:
    return f"{CASES}/{case.pk}"


def contact_url(order) -> str:
    return f"/api/v1/orders/{order.external_id}/seller-contact"


def post_json(client: Client, url: str, body, **extra):
    return client.post(url, body, content_type="application/json", **extra)


# --- who is calling --------------------------------------------------------------------------------


def _key_client(marketplace) -> Client:
    _key, raw = api_key_create(actor=Actor.system(), marketplace=marketplace, name="Integration")
    return Client(headers={"Authorization": f"Bearer {raw}"})


@pytest.fixture
def key_client(marketplace) -> Client:
    return _key_client(marketplace)


@pytest.fixture
def other_key_client(other_marketplace) -> Client:
    return _key_client(other_marketplace)


@pytest.fixture
def other_seller(marketplace):
    """A seller of another shop of the same marketplace."""
    return factories.MembershipFactory(shop=factories.ShopFactory(marketplace=marketplace)).user


@pytest.fixture
def clients(
    buyer, other_buyer, seller, other_seller, operator, admin_user, other_marketplace, key_client, other_key_client
) -> dict[str, Client]:
    """One client per caller of the role matrices."""
    return {
        "buyer": session_client(buyer),
        "other buyer": session_client(other_buyer),
        "seller": session_client(seller),
        "other seller": session_client(other_seller),
        "operator": session_client(operator),
        "other marketplace's operator": session_client(factories.OperatorFactory(marketplace=other_marketplace)),
        "admin": session_client(admin_user),
        "marketplace key": key_client,
        "other marketplace key": other_key_client,
        "anonymous": Client(),
    }


# Each matrix row is one caller and what it gets; the case is ``buyer``'s at ``seller``'s shop.
READ = [
    ("buyer", 200),
    ("other buyer", 404),
    ("seller", 200),
    ("other seller", 404),
    ("operator", 200),
    ("other marketplace's operator", 404),
    ("admin", 200),
    ("marketplace key", 200),
    ("other marketplace key", 404),
    ("anonymous", 401),
]
LIST = [
    ("buyer", 200, True),
    ("other buyer", 200, False),
    ("seller", 200, True),
    ("other seller", 200, False),
    ("operator", 200, True),
    ("other marketplace's operator", 200, False),
    ("admin", 200, True),
    ("marketplace key", 200, True),
    ("other marketplace key", 200, False),
    ("anonymous", 401, False),
]
# Opening a case and recording a contact are the marketplace key's: another key cannot name the
# order (404), nobody signed in may (403), nobody else is known (401).
REFUSED_WRITERS = [
    ("buyer", 403),
    ("other buyer", 403),
    ("seller", 403),
    ("other seller", 403),
    ("operator", 403),
    ("other marketplace's operator", 403),
    ("admin", 403),
    ("other marketplace key", 404),
    ("anonymous", 401),
]
SEES = ["buyer", "seller", "operator", "admin", "marketplace key"]


# --- GET /cases/{id} --------------------------------------------------------------------------------


@pytest.mark.parametrize(("role", "status"), READ)
def test_reading_a_case_as_each_caller(clients, opened_case, role, status):
    response = clients[role].get(case_url(opened_case))

    assert response.status_code == status


@pytest.mark.parametrize(("role", "status"), [row for row in READ if row[1] != 200])
def test_a_case_one_may_not_see_is_a_problem_document_that_reveals_nothing(clients, opened_case, role, status):
    response = clients[role].get(case_url(opened_case))

    assert (response["Content-Type"], response.json()["status"]) == (PROBLEM, status)
    assert opened_case.description not in response.content.decode()


def test_a_case_that_does_not_exist_answers_the_same_404(key_client, opened_case):
    response = key_client.get(f"{CASES}/{opened_case.pk + 1000}")

    assert (response.status_code, response["Content-Type"], response.json()["code"]) == (404, PROBLEM, "not_found")


def test_a_new_case_shows_its_deadlines_and_policy(key_client, opened_case, order, buyer, shop):
    body = key_client.get(case_url(opened_case)).json()

    assert body == {
        "id": opened_case.pk,
        "order": order.external_id,
        "line": None,
        "buyer": {"external_id": buyer.external_id, "name": buyer.name},
        "shop": {"external_id": shop.external_id, "name": shop.name},
        "case_type": "item_not_received",
        "reason_detail": "",
        "description": "It never came.",
        "status": "awaiting_seller",
        "opened_at": "2026-11-26T12:00:00Z",
        "updated_at": "2026-11-26T12:00:00Z",
        "escalated_at": None,
        "seller_due_at": SELLER_DUE.isoformat().replace("+00:00", "Z"),
        "decision_due_at": None,
        "info_due_at": None,
        "expires_at": EXPIRES.isoformat().replace("+00:00", "Z"),
        "policy_version": opened_case.policy_version,
        "referenced_case_id": None,
        "offers": [],
        "evidence": [],
        "info_requests": [],
        "decisions": [],
        "appeal": None,
    }


@pytest.fixture
def worked_case(opened_case, buyer_actor, seller_actor, operator_actor, at_now, operator) -> Case:
    """A case with a declined offer, a question answered by the seller, one open to the buyer, and a decision."""
    case_offer_make(
        actor=seller_actor,
        case=opened_case,
        kind=OfferKind.PARTIAL_REFUND,
        amount=Money(1000, "GBP"),
        message="Ten pounds back?",
        evidence_note="Posted on 20 Nov.",
    )
    case_offer_decline(actor=buyer_actor, case=opened_case)
    at_now.advance(dt.timedelta(hours=1))
    case_escalate(actor=buyer_actor, case=opened_case)
    case_review_start(actor=operator_actor, case=opened_case)
    case_info_request(actor=operator_actor, case=opened_case, party=Party.SELLER, question="Tracking number?")
    case_info_provide(actor=seller_actor, case=opened_case, answer="It had none.")
    case_info_request(actor=operator_actor, case=opened_case, party=Party.BUYER, question="Your address?")
    decide_full_refund(operator_actor, opened_case)
    CaseNote.objects.create(case=opened_case, author=operator, body=SECRET_NOTE)
    return fresh(opened_case)


def test_a_worked_case_shows_its_offer_and_decision(key_client, worked_case):
    body = key_client.get(case_url(worked_case)).json()

    assert body["status"] == "decided"
    assert [(o["kind"], o["amount_minor"], o["currency"], o["status"], o["message"]) for o in body["offers"]] == [
        ("partial_refund", 1000, "GBP", "declined", "Ten pounds back?")
    ]
    assert body["decisions"] == [
        {
            "id": worked_case.decisions.get().pk,
            "is_appeal": False,
            "outcome": "buyer_full_refund",
            "payer": "seller",
            "amount_minor": 2500,
            "currency": "GBP",
            "reason_code": "not_received_no_proof",
            "rationale": "No proof of delivery was given.",
            "policy_version": worked_case.policy_version,
            "decided_at": "2026-11-26T13:00:00Z",
        }
    ]
    assert body["appeal"] is None


@pytest.mark.parametrize(
    ("role", "questions"),
    [
        ("buyer", [("buyer", "Your address?", "")]),
        ("seller", [("seller", "Tracking number?", "It had none.")]),
        ("operator", [("seller", "Tracking number?", "It had none."), ("buyer", "Your address?", "")]),
        ("admin", [("seller", "Tracking number?", "It had none."), ("buyer", "Your address?", "")]),
        ("marketplace key", [("seller", "Tracking number?", "It had none."), ("buyer", "Your address?", "")]),
    ],
)
def test_each_party_reads_only_the_questions_put_to_it(clients, worked_case, role, questions):
    body = clients[role].get(case_url(worked_case)).json()

    assert [(q["party"], q["question"], q["answer"]) for q in body["info_requests"]] == questions
    assert all(q["due_at"] == "2026-11-29T13:00:00Z" for q in body["info_requests"])


@pytest.mark.parametrize("role", SEES)
def test_internal_notes_and_who_asked_or_decided_never_leave_through_the_api(clients, worked_case, role):
    text = clients[role].get(case_url(worked_case)).content.decode()

    assert SECRET_NOTE not in text
    assert [key for key in ("notes", "asked_by", "decided_by") if f'"{key}"' in text] == []


def test_an_appeal_and_its_decision_show_on_the_case(key_client, decided, buyer_actor, second_operator_actor):
    case_appeal(actor=buyer_actor, case=decided, reason="Wrong parcel", new_information="Photo of the label.")
    case_appeal_decide(
        actor=second_operator_actor,
        case=decided,
        outcome="seller_wins",
        payer="none",
        reason_code="appeal_overturned",
        rationale="The label shows another address.",
    )

    body = key_client.get(case_url(decided)).json()

    assert (body["status"], body["decision_due_at"]) == ("decided_on_appeal", None)
    assert {k: body["appeal"][k] for k in ("party", "reason", "new_information")} == {
        "party": "buyer",
        "reason": "Wrong parcel",
        "new_information": "Photo of the label.",
    }
    assert [(d["is_appeal"], d["outcome"]) for d in body["decisions"]] == [
        (False, "buyer_full_refund"),
        (True, "seller_wins"),
    ]


def test_a_case_id_that_is_not_a_number_is_a_404(key_client):
    # An address whose id cannot exist names nothing, as an unknown id (api.params.PathId).
    response = key_client.get(f"{CASES}/abc")

    assert (response.status_code, response["Content-Type"]) == (404, PROBLEM)


# --- GET /cases/{id}/decisions ----------------------------------------------------------------------


@pytest.mark.parametrize(("role", "status"), READ)
def test_reading_the_decisions_as_each_caller(clients, decided, role, status):
    response = clients[role].get(f"{case_url(decided)}/decisions")

    assert response.status_code == status


def test_the_decisions_list_holds_the_first_decision(key_client, decided):
    response = key_client.get(f"{case_url(decided)}/decisions")

    assert [(d["outcome"], d["payer"], d["amount_minor"], d["is_appeal"]) for d in response.json()] == [
        ("buyer_full_refund", "seller", 2500, False)
    ]


def test_an_undecided_case_has_no_decisions(key_client, opened_case):
    response = key_client.get(f"{case_url(opened_case)}/decisions")

    assert (response.status_code, response.json()) == (200, [])


# --- GET /cases -------------------------------------------------------------------------------------


@pytest.mark.parametrize(("role", "status", "sees"), LIST)
def test_listing_cases_as_each_caller(clients, opened_case, role, status, sees):
    response = clients[role].get(CASES)

    assert response.status_code == status
    assert (opened_case.pk in [c["id"] for c in response.json().get("items", [])]) is sees


def test_the_list_holds_only_the_keys_marketplace(key_client, marketplace, other_marketplace):
    mine = CaseFactory(order=factories.OrderFactory(marketplace=marketplace))
    CaseFactory(
        order=factories.OrderFactory(
            marketplace=other_marketplace,
            buyer=factories.BuyerFactory(marketplace=other_marketplace),
            shop=factories.ShopFactory(marketplace=other_marketplace),
        )
    )

    response = key_client.get(CASES)

    assert [c["id"] for c in response.json()["items"]] == [mine.pk]


def _case(marketplace, **fields) -> Case:
    return CaseFactory(order__marketplace=marketplace, **fields)


@pytest.mark.parametrize(
    ("wanted", "other", "query"),
    [
        ({"status": CaseStatus.ESCALATED}, {"status": CaseStatus.AWAITING_SELLER}, {"status": "escalated"}),
        ({"order__external_id": "O-WANTED"}, {}, {"order": "O-WANTED"}),
        (
            {"case_type": CaseType.NOT_AS_DESCRIBED},
            {"case_type": CaseType.ITEM_NOT_RECEIVED},
            {"case_type": "not_as_described"},
        ),
    ],
    ids=["status", "order", "case_type"],
)
def test_the_list_filters_by(key_client, marketplace, wanted, other, query):
    match = _case(marketplace, **wanted)
    _case(marketplace, **other)

    response = key_client.get(CASES, query)

    assert [c["id"] for c in response.json()["items"]] == [match.pk]


def test_the_list_filters_by_last_change_inclusive(key_client, marketplace):
    since = dt.datetime(2026, 11, 24, 9, 0, tzinfo=dt.UTC)
    at_the_moment = _case(marketplace, updated_at=since)
    later = _case(marketplace, updated_at=since + dt.timedelta(hours=1))
    _case(marketplace, updated_at=since - dt.timedelta(seconds=1))

    response = key_client.get(CASES, {"updated_since": "2026-11-24T10:00:00+01:00"})

    assert sorted(c["id"] for c in response.json()["items"]) == [at_the_moment.pk, later.pk]


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"status": "lost"}, "status"),
        ({"case_type": "bored"}, "case_type"),
        ({"updated_since": "2026-11-24T10:00:00"}, "updated_since"),
        ({"updated_since": "yesterday"}, "updated_since"),
        ({"order": "O" * 101}, "order"),
        ({"limit": "0"}, "limit"),
    ],
    ids=["status", "case_type", "naive-time", "not-a-time", "long-order", "limit"],
)
def test_a_bad_filter_is_a_422_naming_it(key_client, query, field):
    response = key_client.get(CASES, query)

    assert (response.status_code, response["Content-Type"]) == (422, PROBLEM)
    assert response.json()["errors"][0]["field"] == field


def test_a_bad_cursor_is_a_400(key_client):
    response = key_client.get(CASES, {"cursor": "not-base64!!"})

    assert (response.status_code, response.json()["code"]) == (400, "invalid_cursor")


def test_walking_all_pages_yields_every_case_once_newest_first(key_client, marketplace):
    base = dt.datetime(2026, 11, 20, 12, 0, tzinfo=dt.UTC)
    times = [base, base, base, base - dt.timedelta(hours=1), base + dt.timedelta(hours=1)]
    cases = [_case(marketplace, opened_at=t) for t in times]
    expected = [c.pk for c in sorted(cases, key=lambda c: (c.opened_at, c.pk), reverse=True)]

    first = key_client.get(CASES, {"limit": 2}).json()
    second = key_client.get(CASES, {"limit": 2, "cursor": first["next_cursor"]}).json()
    third = key_client.get(CASES, {"limit": 2, "cursor": second["next_cursor"]}).json()

    assert [c["id"] for page in (first, second, third) for c in page["items"]] == expected
    assert third["next_cursor"] is None


def _list_queries(client: Client) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(CASES, {"limit": 50})
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_the_list_takes_the_same_number_of_queries_for_3_and_30_cases(key_client, marketplace):
    key_client.get(CASES)  # the key's first use records last_used_at once; keep it out of the count
    for _ in range(3):
        _case(marketplace)
    with_3 = _list_queries(key_client)
    for _ in range(27):
        _case(marketplace)

    with_30 = _list_queries(key_client)

    assert with_30 == with_3
    assert with_3 == 2  # the key, the page of cases with their orders, lines, buyers and shops


# --- POST /orders/{external_id}/seller-contact -------------------------------------------------------


@pytest.mark.parametrize(("role", "status"), REFUSED_WRITERS)
def test_only_the_marketplace_key_records_the_seller_contact(clients, order, role, status, frozen_clock):
    response = clients[role].post(contact_url(order))

    assert (response.status_code, response["Content-Type"]) == (status, PROBLEM)
    assert SellerContact.objects.count() == 0


def test_the_marketplace_records_that_the_buyer_contacted_the_seller(key_client, order, buyer, frozen_clock):
    response = key_client.post(contact_url(order))

    assert response.json() == {
        "order": order.external_id,
        "contacted_at": "2026-11-26T12:00:00Z",
        "seller_replied_at": None,
    }
    assert SellerContact.objects.get().buyer == buyer
    assert TimelineEvent.objects.filter(event_type="case.seller_contacted", actor_role="marketplace").count() == 1


def test_recording_the_contact_again_returns_the_first(key_client, order, frozen_clock):
    key_client.post(contact_url(order))
    frozen_clock.advance(dt.timedelta(days=1))

    again = key_client.post(contact_url(order))

    assert (again.status_code, again.json()["contacted_at"]) == (200, "2026-11-26T12:00:00Z")
    assert SellerContact.objects.count() == 1


def test_the_contact_of_an_unknown_order_is_a_404(key_client):
    response = key_client.post("/api/v1/orders/NO-SUCH/seller-contact")

    assert (response.status_code, response["Content-Type"]) == (404, PROBLEM)


# --- POST /cases ------------------------------------------------------------------------------------


@pytest.fixture
def body(order) -> dict:
    return {"order": order.external_id, "case_type": "item_not_received", "description": "The parcel never came."}


@pytest.fixture
def eligible(contacted, at_now):
    """The buyer contacted the seller three days ago and the delivery estimate has passed."""
    return contacted


def nothing_written() -> tuple[int, int]:
    return Case.objects.count(), TimelineEvent.objects.filter(event_type="case.opened").count()


@pytest.mark.parametrize(("role", "status"), REFUSED_WRITERS)
def test_only_the_marketplace_key_opens_a_case(clients, eligible, body, role, status):
    response = post_json(clients[role], CASES, body)

    assert (response.status_code, response["Content-Type"], response.json()["status"]) == (status, PROBLEM, status)
    assert nothing_written() == (0, 0)


def test_the_marketplace_opens_a_case_for_the_buyer(key_client, eligible, body, order, buyer):
    response = post_json(key_client, CASES, {**body, "reason_detail": "never_arrived"})

    assert response.status_code == 201
    case = Case.objects.get()
    assert (case.buyer, case.order, case.case_type, case.reason_detail) == (
        buyer,
        order,
        "item_not_received",
        "never_arrived",
    )
    assert response.json()["id"] == case.pk
    assert (response.json()["status"], response.json()["seller_due_at"]) == (
        "awaiting_seller",
        SELLER_DUE.isoformat().replace("+00:00", "Z"),
    )
    assert TimelineEvent.objects.get(event_type="case.opened").actor_role == "marketplace"


def test_a_case_about_one_line_names_it_by_its_id(key_client, eligible, body, order):
    response = post_json(key_client, CASES, {**body, "line": "L1"})

    assert (response.status_code, response.json()["line"]) == (201, "L1")
    assert Case.objects.get().line == order.lines.get(external_id="L1")


def test_a_case_about_one_line_names_it_by_its_sku(key_client, eligible, body, order):
    OrderLine.objects.create(
        order=order, external_id="L2", sku="HAT-1", title="Hat", quantity=1, unit_price_minor=0, total_minor=0
    )

    response = post_json(key_client, CASES, {**body, "sku": "HAT-1"})

    assert (response.status_code, response.json()["line"]) == (201, "L2")


@pytest.mark.parametrize(
    ("change", "field", "detail"),
    [
        ({"line": "L9"}, "line", "This item is not part of the order."),
        ({"sku": "NOPE"}, "sku", "This item is not part of the order."),
        ({"sku": "SCARF"}, "sku", "Several items of this order have this SKU; name the line instead."),
        ({"line": "L1", "sku": "SCARF"}, "sku", "Name the item by its line or by its SKU, not both."),
    ],
    ids=["unknown-line", "unknown-sku", "ambiguous-sku", "line-and-sku"],
)
def test_an_item_that_is_not_one_line_of_the_order_is_refused(key_client, eligible, body, order, change, field, detail):
    order.lines.update(sku="SCARF")
    OrderLine.objects.create(
        order=order, external_id="L2", sku="SCARF", title="Scarf", quantity=1, unit_price_minor=0, total_minor=0
    )

    response = post_json(key_client, CASES, {**body, **change})

    assert (response.status_code, response["Content-Type"]) == (422, PROBLEM)
    assert response.json()["errors"] == [{"field": field, "message": detail}]
    assert nothing_written() == (0, 0)


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"case_type": "bored"}, "case_type"),
        ({"description": ""}, "description"),
        ({"description": "   \n "}, "description"),
        ({"description": "x" * 20_001}, "description"),
        ({"description": None}, "description"),
        ({"order": ""}, "order"),
        ({"reason_detail": "r" * 101}, "reason_detail"),
        ({"referenced_case": "7"}, "referenced_case"),
        ({"buyer": "B-1"}, "buyer"),
    ],
    ids=[
        "unknown-type",
        "empty-description",
        "blank-description",
        "20001-chars",
        "null-description",
        "empty-order",
        "long-reason-detail",
        "case-id-as-text",
        "unknown-field",
    ],
)
def test_bad_input_is_a_422_naming_the_field_and_writes_nothing(key_client, eligible, body, change, field):
    response = post_json(key_client, CASES, {**body, **change})

    assert (response.status_code, response["Content-Type"]) == (422, PROBLEM)
    assert response.json()["errors"][0]["field"] == field
    assert nothing_written() == (0, 0)


def test_a_missing_description_is_a_422(key_client, eligible, body):
    del body["description"]

    response = post_json(key_client, CASES, body)

    assert response.status_code == 422
    assert response.json()["errors"] == [{"field": "description", "message": "This field is required."}]


def test_a_description_of_20000_characters_is_the_longest_accepted(key_client, eligible, body):
    response = post_json(key_client, CASES, {**body, "description": "x" * 20_000})

    assert response.status_code == 201
    assert len(Case.objects.get().description) == 20_000


def test_the_longest_description_is_told_in_the_problem(key_client, eligible, body):
    response = post_json(key_client, CASES, {**body, "description": "x" * 20_001})

    assert response.json()["errors"][0]["message"] == "This is too long: at most 20000 characters."


def test_malformed_json_is_a_400_and_writes_nothing(key_client, eligible):
    response = key_client.post(CASES, '{"order": "O-1", ', content_type="application/json")

    assert (response.status_code, response["Content-Type"], response.json()["code"]) == (400, PROBLEM, "malformed_json")
    assert nothing_written() == (0, 0)


def test_a_body_that_is_not_an_object_is_a_422(key_client, eligible):
    response = key_client.post(CASES, json.dumps(["a", "list"]), content_type="application/json")

    assert (response.status_code, response["Content-Type"]) == (422, PROBLEM)
    assert nothing_written() == (0, 0)


def test_an_order_of_another_marketplace_is_a_404_and_writes_nothing(other_key_client, eligible, body):
    response = post_json(other_key_client, CASES, body)

    assert (response.status_code, response["Content-Type"], response.json()["code"]) == (404, PROBLEM, "not_found")
    assert nothing_written() == (0, 0)


def test_an_unknown_order_is_the_same_404(key_client, eligible, body):
    response = post_json(key_client, CASES, {**body, "order": "NO-SUCH"})

    assert (response.status_code, response.json()["detail"]) == (404, "Nothing was found here.")


def test_without_a_seller_contact_the_case_cannot_open_yet(key_client, order, body, frozen_clock):
    response = post_json(key_client, CASES, body)

    assert (response.status_code, response["Content-Type"]) == (409, PROBLEM)
    assert response.json()["code"] == "case_not_eligible"
    assert response.json()["detail"] == "Contact the seller first: most problems are solved that way."
    assert response.json()["opens_at"] is None
    assert nothing_written() == (0, 0)


def test_the_marketplace_drives_the_buyer_from_contact_to_case(key_client, order, body, frozen_clock):
    contact = key_client.post(contact_url(order))

    too_early = post_json(key_client, CASES, body)
    frozen_clock.advance(dt.timedelta(hours=48))
    in_time = post_json(key_client, CASES, body)

    assert contact.status_code == 200
    assert (too_early.status_code, too_early.json()["code"]) == (409, "case_not_eligible")
    assert too_early.json()["opens_at"] == (NOW + dt.timedelta(hours=48)).isoformat()
    assert in_time.status_code == 201
    assert Case.objects.get().opened_at == NOW + dt.timedelta(hours=48)


def test_a_second_open_case_for_the_same_reason_is_a_409(key_client, eligible, body):
    first = post_json(key_client, CASES, body)

    second = post_json(key_client, CASES, {**body, "description": "Still nothing."})

    assert (first.status_code, second.status_code, second.json()["code"]) == (201, 409, "case_not_eligible")
    assert second["Content-Type"] == PROBLEM
    assert Case.objects.count() == 1


def test_a_new_case_may_reference_a_finished_case_of_the_same_buyer(key_client, eligible, body, opened_case):
    case_withdraw(actor=Actor.for_user(opened_case.buyer), case=opened_case)

    response = post_json(key_client, CASES, {**body, "referenced_case": opened_case.pk})

    assert (response.status_code, response.json()["referenced_case_id"]) == (201, opened_case.pk)


@pytest.mark.parametrize("which", ["open", "other marketplace's", "missing"])
def test_only_a_finished_case_of_the_buyer_can_be_referenced(
    key_client, eligible, body, opened_case, other_marketplace, which
):
    other = CaseFactory(
        order=factories.OrderFactory(
            marketplace=other_marketplace,
            buyer=factories.BuyerFactory(marketplace=other_marketplace),
            shop=factories.ShopFactory(marketplace=other_marketplace),
        )
    )
    referenced = {"open": opened_case.pk, "other marketplace's": other.pk, "missing": other.pk + 1000}[which]
    before = Case.objects.count()

    response = post_json(key_client, CASES, {**body, "case_type": "other", "referenced_case": referenced})

    assert (response.status_code, response["Content-Type"]) == (422, PROBLEM)
    assert response.json()["errors"] == [
        {"field": "referenced_case", "message": "Only your own finished cases can be referenced."}
    ]
    assert Case.objects.count() == before


# --- Idempotency-Key ---------------------------------------------------------------------------------


def test_the_same_key_and_body_replay_the_opened_case(key_client, eligible, body):
    first = post_json(key_client, CASES, body, headers={"Idempotency-Key": "open-1"})

    again = post_json(key_client, CASES, dict(reversed(body.items())), headers={"Idempotency-Key": "open-1"})

    assert (first.status_code, again.status_code, again["Idempotent-Replayed"]) == (201, 201, "true")
    assert again.json() == first.json()
    assert Case.objects.count() == 1


def test_the_same_key_with_another_body_is_refused(key_client, eligible, body):
    post_json(key_client, CASES, body, headers={"Idempotency-Key": "open-1"})

    response = post_json(key_client, CASES, {**body, "case_type": "other"}, headers={"Idempotency-Key": "open-1"})

    assert (response.status_code, response.json()["code"]) == (422, "idempotency_key_reused")
    assert Case.objects.count() == 1


def test_a_refused_opening_is_replayed_as_refused(key_client, order, body, frozen_clock):
    first = post_json(key_client, CASES, body, headers={"Idempotency-Key": "open-1"})

    again = post_json(key_client, CASES, body, headers={"Idempotency-Key": "open-1"})

    assert (first.status_code, again.status_code, again["Idempotent-Replayed"]) == (409, 409, "true")
    assert IdempotencyRecord.objects.count() == 1


def test_an_opening_refused_after_its_case_is_written_leaves_nothing_and_its_key_free(
    key_client, eligible, body, order, monkeypatch
):
    # given: an open case on the order, and an opening whose check for one raced past it (it runs inside the
    # view's transaction without a savepoint of its own: the insert hits the one-open-case constraint)
    first = post_json(key_client, CASES, body, headers={"Idempotency-Key": "open-1"})
    outbox_rows = OutboxMessage.objects.count()
    monkeypatch.setattr(opening, "_open_case_for", lambda order, line, case_type: None)

    # when
    raced = post_json(key_client, CASES, body, headers={"Idempotency-Key": "open-2"})

    # then: refused, and nothing of it kept: no case, no event, no outbox row, no key (a repeat runs again)
    assert (first.status_code, raced.status_code, raced.json()["code"]) == (201, 409, "case_not_eligible")
    assert nothing_written() == (1, 1)
    assert OutboxMessage.objects.count() == outbox_rows
    assert list(IdempotencyRecord.objects.values_list("key", flat=True)) == ["open-1"]


def test_the_seller_contact_honours_the_idempotency_key(key_client, order, frozen_clock):
    first = key_client.post(contact_url(order), headers={"Idempotency-Key": "contact-1"})

    again = key_client.post(contact_url(order), headers={"Idempotency-Key": "contact-1"})

    assert (first.status_code, again.status_code, again["Idempotent-Replayed"]) == (200, 200, "true")
    assert SellerContact.objects.count() == 1
