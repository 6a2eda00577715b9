"""The conversations API: each caller reads and posts to the conversations it may see; message.posted goes out once."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext

from marketdesk.accounts.services import api_key_create
from marketdesk.api.models import IdempotencyRecord
from marketdesk.cases.models import Case, CaseType, SellerContact
from marketdesk.cases.services.offers import case_escalate
from marketdesk.cases.services.opening import case_open
from marketdesk.core import clock
from marketdesk.core.actors import Actor
from marketdesk.messaging.models import Message, Thread, ThreadRead
from marketdesk.messaging.services import order_message_post
from marketdesk.notifications.models import WebhookDelivery, WebhookEndpoint
from marketdesk.orders.states import OrderStatus
from tests import factories
from tests.api.helpers import PROBLEM, session_client
from tests.workers import fan_out

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 11, 26, 12, 0, tzinfo=dt.UTC)  # a Thursday
SCRIPT = '<script>alert("hi")</script><img src=x onerror=alert(1)>'


@pytest.fixture
def at_now():
    with clock.frozen(NOW) as frozen:
        yield frozen


@pytest.fixture
def order(marketplace, shop, buyer):
    order = factories.OrderFactory(
        marketplace=marketplace,
        shop=shop,
        buyer=buyer,
        status=OrderStatus.SHIPPED,
        estimated_delivery_at=NOW - dt.timedelta(days=3),
    )
    factories.PaymentFactory(order=order, amount_minor=order.total_minor)
    return order


@pytest.fixture
def other_seller(marketplace):
    """A seller of another shop of the same marketplace."""
    return factories.MembershipFactory(shop=factories.ShopFactory(marketplace=marketplace)).user


def _key_client(marketplace, **headers) -> Client:
    _key, raw = api_key_create(actor=Actor.system(), marketplace=marketplace, name="Integration")
    return Client(headers={"Authorization": f"Bearer {raw}", **headers})


@pytest.fixture
def key_client(marketplace) -> Client:
    return _key_client(marketplace)


@pytest.fixture
def clients(
    buyer, other_buyer, seller, other_seller, operator, admin_user, other_marketplace, key_client
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
        "other marketplace key": _key_client(other_marketplace),
        "anonymous": Client(),
    }


@pytest.fixture
def endpoint(marketplace) -> WebhookEndpoint:
    return WebhookEndpoint.objects.create(
        marketplace=marketplace, url="https://hooks.example.test/marketdesk", secret="whsec_dGVzdHNlY3JldA=="
    )


def say(user, order, body: str, token: str = "") -> Message:
    return order_message_post(actor=Actor.for_user(user), order=order, body=body, client_token=token)


@pytest.fixture
def talk(order, buyer, seller, at_now) -> list[Message]:
    """The buyer asked, the seller answered an hour later."""
    asked = say(buyer, order, "Where is my parcel?")
    at_now.advance(dt.timedelta(hours=1))
    return [asked, say(seller, order, "Shipped yesterday, tracking RM123.")]


@pytest.fixture
def escalated(order, buyer, at_now) -> Case:
    """The buyer wrote, opened a case three days later and escalated it a week after: support joined."""
    say(buyer, order, "It never came.")
    at_now.advance(dt.timedelta(days=3))
    case = case_open(actor=Actor.for_user(buyer), order=order, case_type=CaseType.ITEM_NOT_RECEIVED, description="Lost")
    fan_out()  # the worker tells of the opening moments later, long before the escalation
    at_now.advance(dt.timedelta(days=7))
    return case_escalate(actor=Actor.for_user(buyer), case=case)


def messages_url(order) -> str:
    return f"/api/v1/orders/{order.external_id}/messages"


def read_url(order) -> str:
    return f"{messages_url(order)}/read"


def post_json(client: Client, url: str, body, **extra):
    return client.post(url, body, content_type="application/json", **extra)


def written() -> tuple[int, int, int]:
    """Messages, message.posted deliveries and seller contacts: what a post writes."""
    deliveries = WebhookDelivery.objects.filter(event_type="message.posted").count()
    return Message.objects.count(), deliveries, SellerContact.objects.count()


def posted_events() -> list[str]:
    return list(
        WebhookDelivery.objects.filter(event_type="message.posted").order_by("id").values_list("event_id", flat=True)
    )


def iso(moment: dt.datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


# The role matrices. The order is ``buyer``'s at ``seller``'s shop; support is in only after escalation.
READ_BEFORE_ESCALATION = [
    ("buyer", 200),
    ("other buyer", 404),
    ("seller", 200),
    ("other seller", 404),
    ("operator", 404),
    ("other marketplace's operator", 404),
    ("admin", 404),
    ("marketplace key", 200),
    ("other marketplace key", 404),
    ("anonymous", 401),
]
READ_AFTER_ESCALATION = [
    ("operator", 200),
    ("other marketplace's operator", 404),
    ("admin", 200),
]
POST_BEFORE_ESCALATION = [
    ("buyer", 201),
    ("other buyer", 404),
    ("seller", 201),
    ("other seller", 404),
    ("operator", 404),
    ("other marketplace's operator", 404),
    ("admin", 404),
    ("marketplace key", 201),
    ("other marketplace key", 404),
    ("anonymous", 401),
]
POST_AFTER_ESCALATION = [
    ("operator", 201),
    ("other marketplace's operator", 404),
    ("admin", 201),
]
# A read receipt is a person's: a key reads for nobody (403) before the order is even looked up.
MARK_READ_BEFORE_ESCALATION = [
    ("buyer", 200),
    ("other buyer", 404),
    ("seller", 200),
    ("other seller", 404),
    ("operator", 404),
    ("other marketplace's operator", 404),
    ("admin", 404),
    ("marketplace key", 403),
    ("other marketplace key", 403),
    ("anonymous", 401),
]
MARK_READ_AFTER_ESCALATION = [
    ("operator", 200),
    ("other marketplace's operator", 404),
    ("admin", 200),
]


# --- GET /orders/{external_id}/messages ------------------------------------------------------------------


@pytest.mark.parametrize(("role", "status"), READ_BEFORE_ESCALATION)
def test_reading_a_conversation_as_each_caller(clients, order, talk, role, status):
    response = clients[role].get(messages_url(order))

    assert response.status_code == status


@pytest.mark.parametrize(("role", "status"), READ_AFTER_ESCALATION)
def test_support_reads_the_conversation_once_a_case_is_escalated(clients, order, escalated, role, status):
    response = clients[role].get(messages_url(order))

    assert response.status_code == status


@pytest.mark.parametrize(("role", "status"), [row for row in READ_BEFORE_ESCALATION if row[1] != 200])
def test_a_conversation_one_may_not_see_is_a_problem_document_that_reveals_nothing(clients, order, talk, role, status):
    response = clients[role].get(messages_url(order))

    assert (response["Content-Type"], response.json()["status"]) == (PROBLEM, status)
    assert "parcel" not in response.content.decode()


def test_an_unknown_order_is_the_same_404(key_client):
    response = key_client.get("/api/v1/orders/NO-SUCH/messages")

    assert (response.status_code, response["Content-Type"], response.json()["code"]) == (404, PROBLEM, "not_found")


def test_the_marketplace_reads_the_conversation_oldest_first(key_client, order, talk, buyer, seller):
    response = key_client.get(messages_url(order))

    assert response.json() == {
        "order": order.external_id,
        "reply_owed_by": None,
        "reply_owed_since": None,
        "unread": None,
        "next_cursor": None,
        "items": [
            {
                "id": talk[0].pk,
                "kind": "text",
                "author_role": "buyer",
                "author_name": buyer.display_name,
                "body": "Where is my parcel?",
                "event": None,
                "data": None,
                "text": None,
                "created_at": "2026-11-26T12:00:00Z",
            },
            {
                "id": talk[1].pk,
                "kind": "text",
                "author_role": "seller",
                "author_name": seller.display_name,
                "body": "Shipped yesterday, tracking RM123.",
                "event": None,
                "data": None,
                "text": None,
                "created_at": "2026-11-26T13:00:00Z",
            },
        ],
    }


def test_an_unanswered_buyer_shows_who_owes_a_reply_since_when(key_client, order, buyer, at_now):
    say(buyer, order, "Hello?")
    at_now.advance(dt.timedelta(hours=2))
    say(buyer, order, "Anyone?")

    body = key_client.get(messages_url(order)).json()

    assert (body["reply_owed_by"], body["reply_owed_since"]) == ("seller", "2026-11-26T12:00:00Z")


def test_each_person_sees_how_many_messages_of_others_they_have_not_read(clients, order, buyer, seller, at_now):
    say(buyer, order, "One")
    say(buyer, order, "Two")

    unread = {role: clients[role].get(messages_url(order)).json()["unread"] for role in ("buyer", "seller")}

    assert unread == {"buyer": 0, "seller": 2}


def test_a_conversation_without_messages_is_an_empty_page(clients, order):
    body = clients["buyer"].get(messages_url(order)).json()

    assert body == {
        "order": order.external_id,
        "reply_owed_by": None,
        "reply_owed_since": None,
        "unread": 0,
        "next_cursor": None,
        "items": [],
    }
    assert Thread.objects.count() == 0


def test_system_messages_carry_their_event_and_a_text_in_the_requests_language(marketplace, order, escalated, operator):
    client = _key_client(marketplace, **{"Accept-Language": "ru"})

    items = client.get(messages_url(order)).json()["items"]

    system = [(m["kind"], m["author_role"], m["author_name"], m["body"], m["event"], m["data"]) for m in items[1:]]
    assert system == [
        ("system", "system", None, None, "case.opened", {"case": escalated.pk, "reason": "item_not_received"}),
        ("system", "system", None, None, "case.escalated", {"case": escalated.pk}),
    ]
    assert [m["text"] for m in items[1:]] == [
        f"Покупатель открыл спор {escalated.pk}: товар не получен.",
        f"Спор {escalated.pk} передан платформе: к переписке подключилась поддержка.",
    ]


def test_a_signed_in_person_reads_system_messages_in_their_own_language(clients, order, escalated, buyer):
    buyer.language = "ru"
    buyer.save(update_fields=["language"])

    items = clients["buyer"].get(messages_url(order)).json()["items"]

    assert items[1]["text"] == f"Покупатель открыл спор {escalated.pk}: товар не получен."


def test_an_author_is_named_but_never_by_an_email_address(key_client, order, buyer, shop):
    seller = factories.MembershipFactory(
        shop=shop, user=factories.SellerFactory(username="sam@shop.example", display_name="")
    ).user
    say(buyer, order, "Hello")
    say(seller, order, "Hi there")

    response = key_client.get(messages_url(order))

    assert [m["author_name"] for m in response.json()["items"]] == [buyer.display_name, "Seller"]
    assert "@" not in response.content.decode()


def test_markup_is_returned_as_the_text_it_is(clients, order, buyer):
    say(buyer, order, SCRIPT)

    response = clients["seller"].get(messages_url(order))

    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert response.json()["items"][0]["body"] == SCRIPT


def _conversation_of(order, buyer, count: int) -> list[Message]:
    with clock.frozen(NOW) as frozen:
        messages = []
        for n in range(count):
            frozen.advance(dt.timedelta(minutes=1))
            messages.append(say(buyer, order, f"Message {n}"))
    return messages


def test_walking_all_pages_yields_every_message_once_oldest_first(key_client, order, buyer):
    messages = _conversation_of(order, buyer, 5)

    first = key_client.get(messages_url(order), {"limit": 2}).json()
    second = key_client.get(messages_url(order), {"limit": 2, "cursor": first["next_cursor"]}).json()
    third = key_client.get(messages_url(order), {"limit": 2, "cursor": second["next_cursor"]}).json()

    assert [m["id"] for page in (first, second, third) for m in page["items"]] == [m.pk for m in messages]
    assert third["next_cursor"] is None


def test_polling_after_the_last_message_one_has_returns_only_newer_ones(key_client, order, buyer, seller, at_now):
    seen = key_client.get(messages_url(order)).json()["items"]
    say(buyer, order, "First")
    first = key_client.get(messages_url(order), {"after": Message.objects.get().pk}).json()
    at_now.advance(dt.timedelta(minutes=5))
    reply = say(seller, order, "Second")

    newer = key_client.get(messages_url(order), {"after": Message.objects.get(body="First").pk}).json()

    assert (seen, first["items"]) == ([], [])
    assert [m["id"] for m in newer["items"]] == [reply.pk]


def test_polling_after_a_message_of_another_conversation_is_a_400(key_client, order, buyer, marketplace, shop):
    say(buyer, order, "Mine")
    elsewhere = factories.OrderFactory(marketplace=marketplace, shop=shop)
    stranger = say(elsewhere.buyer, elsewhere, "Theirs")

    response = key_client.get(messages_url(order), {"after": stranger.pk})

    assert (response.status_code, response["Content-Type"]) == (400, PROBLEM)
    assert (response.json()["code"], response.json()["errors"][0]["field"]) == ("invalid_cursor", "after")


@pytest.mark.parametrize(
    ("query", "status", "field"),
    [
        ({"cursor": "not-base64!!"}, 400, "cursor"),
        ({"after": "x"}, 422, "after"),
        ({"after": "0"}, 422, "after"),
        ({"limit": "0"}, 422, "limit"),
        ({"limit": "201"}, 422, "limit"),
    ],
    ids=["cursor", "after-not-a-number", "after-zero", "limit-zero", "limit-too-big"],
)
def test_a_bad_query_is_a_problem_naming_it(key_client, order, buyer, query, status, field):
    say(buyer, order, "Hello")

    response = key_client.get(messages_url(order), query)

    assert (response.status_code, response["Content-Type"]) == (status, PROBLEM)
    assert response.json()["errors"][0]["field"] == field


def _list_queries(client: Client, order) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(messages_url(order), {"limit": 50})
    assert response.status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("role", ["marketplace key", "seller"])
def test_the_list_takes_the_same_number_of_queries_for_3_and_30_messages(clients, order, buyer, role):
    client = clients[role]
    client.get(messages_url(order))  # a key's first use records last_used_at once; keep it out of the count
    _conversation_of(order, buyer, 3)
    with_3 = _list_queries(client, order)
    _conversation_of(order, buyer, 27)

    with_30 = _list_queries(client, order)

    assert with_30 == with_3


def test_the_marketplace_reads_a_page_in_three_queries(key_client, order, buyer):
    key_client.get(messages_url(order))
    _conversation_of(order, buyer, 3)

    assert _list_queries(key_client, order) == 3  # the key, the thread with its order, the messages with authors


# --- POST /orders/{external_id}/messages -------------------------------------------------------------------


@pytest.mark.parametrize(("role", "status"), POST_BEFORE_ESCALATION)
def test_posting_as_each_caller(clients, order, at_now, role, status):
    response = post_json(clients[role], messages_url(order), {"body": "Hello from the API"})

    assert response.status_code == status
    assert Message.objects.filter(body="Hello from the API").count() == (1 if status == 201 else 0)


@pytest.mark.parametrize(("role", "status"), [row for row in POST_BEFORE_ESCALATION if row[1] != 201])
def test_a_refused_post_is_a_problem_document(clients, order, at_now, role, status):
    response = post_json(clients[role], messages_url(order), {"body": "Hello from the API"})

    assert (response["Content-Type"], response.json()["status"]) == (PROBLEM, status)


@pytest.mark.parametrize(("role", "status"), POST_AFTER_ESCALATION)
def test_support_posts_once_a_case_is_escalated(clients, order, escalated, role, status):
    response = post_json(clients[role], messages_url(order), {"body": "We are looking into it."})

    assert response.status_code == status
    assert Message.objects.filter(body="We are looking into it.").count() == (1 if status == 201 else 0)


def test_what_the_marketplace_posts_is_the_buyers_and_counts_as_contacting_the_seller(key_client, order, buyer, at_now):
    response = post_json(key_client, messages_url(order), {"body": "Where is my parcel?"})

    message = Message.objects.get()
    assert response.json() == {
        "id": message.pk,
        "kind": "text",
        "author_role": "buyer",
        "author_name": buyer.display_name,
        "body": "Where is my parcel?",
        "event": None,
        "data": None,
        "text": None,
        "created_at": "2026-11-26T12:00:00Z",
    }
    assert (message.author, message.author_role) == (buyer, "buyer")
    assert SellerContact.objects.get().contacted_at == NOW
    assert Thread.objects.get().reply_owed_by == "seller"


def test_the_sellers_reply_through_the_api_is_noted_as_the_first_reply(clients, order, buyer, at_now):
    say(buyer, order, "Where is my parcel?")
    at_now.advance(dt.timedelta(hours=3))

    response = post_json(clients["seller"], messages_url(order), {"body": "On its way."})

    assert (response.status_code, response.json()["author_role"]) == (201, "seller")
    assert SellerContact.objects.get().seller_replied_at == NOW + dt.timedelta(hours=3)
    assert Thread.objects.get().reply_owed_by == ""


def test_support_posts_as_support(clients, order, escalated, operator):
    response = post_json(clients["operator"], messages_url(order), {"body": "We are looking into it."})

    assert (response.json()["author_role"], response.json()["author_name"]) == ("operator", operator.display_name)


def test_markup_is_stored_and_returned_exactly_as_written(key_client, order, at_now):
    response = post_json(key_client, messages_url(order), {"body": SCRIPT})

    assert (response.status_code, response.json()["body"]) == (201, SCRIPT)
    assert Message.objects.get().body == SCRIPT


def test_a_message_of_20000_characters_is_the_longest_accepted(key_client, order, at_now):
    response = post_json(key_client, messages_url(order), {"body": "x" * 20_000})

    assert response.status_code == 201
    assert len(Message.objects.get().body) == 20_000


@pytest.mark.parametrize(
    ("body", "field", "detail"),
    [
        ({"body": ""}, "body", "Write a message."),
        ({"body": "   \n "}, "body", "Write a message."),
        ({"body": "x" * 100_000}, "body", "This is too long: at most 20000 characters."),
        ({"body": "a\x00b"}, "body", "This does not have the expected format."),
        ({"body": None}, "body", "Enter text."),
        ({"body": 5}, "body", "Enter text."),
        ({}, "body", "This field is required."),
        ({"body": "Hi", "client_token": "t" * 65}, "client_token", "This is too long: at most 64 characters."),
        ({"body": "Hi", "author": "seller"}, "author", "This field is not expected here."),
    ],
    ids=[
        "empty",
        "blank",
        "100000-chars",
        "nul-character",
        "null",
        "a-number",
        "missing",
        "long-client-token",
        "unknown-field",
    ],
)
def test_bad_input_is_a_422_naming_the_field_and_writes_nothing(
    key_client, order, endpoint, at_now, body, field, detail
):
    response = post_json(key_client, messages_url(order), body)

    assert (response.status_code, response["Content-Type"]) == (422, PROBLEM)
    assert response.json()["errors"][0] == {"field": field, "message": detail}
    assert written() == (0, 0, 0)


def test_malformed_json_is_a_400_and_writes_nothing(key_client, order, endpoint, at_now):
    response = key_client.post(messages_url(order), '{"body": "Hello', content_type="application/json")

    assert (response.status_code, response["Content-Type"], response.json()["code"]) == (400, PROBLEM, "malformed_json")
    assert written() == (0, 0, 0)


def test_a_body_that_is_not_an_object_is_a_422_and_writes_nothing(key_client, order, endpoint, at_now):
    response = key_client.post(messages_url(order), json.dumps(["Hello"]), content_type="application/json")

    assert (response.status_code, response["Content-Type"]) == (422, PROBLEM)
    assert written() == (0, 0, 0)


def test_posting_to_an_unknown_order_is_a_404_and_writes_nothing(key_client, endpoint, at_now):
    response = post_json(key_client, "/api/v1/orders/NO-SUCH/messages", {"body": "Hello"})

    assert (response.status_code, response["Content-Type"], response.json()["code"]) == (404, PROBLEM, "not_found")
    assert written() == (0, 0, 0)


def test_a_repeated_client_token_returns_the_first_message(key_client, order, endpoint, at_now):
    first = post_json(key_client, messages_url(order), {"body": "Hello", "client_token": "tap-1"})
    at_now.advance(dt.timedelta(seconds=2))

    again = post_json(key_client, messages_url(order), {"body": "Hello", "client_token": "tap-1"})

    assert (first.status_code, again.status_code) == (201, 201)
    assert again.json() == first.json()
    assert written() == (1, 1, 1)


def _post_with_key(client: Client, order, body: dict, key: str = "post-1"):
    return post_json(client, messages_url(order), body, headers={"Idempotency-Key": key})


def test_the_same_idempotency_key_and_body_replay_the_first_answer_and_post_once(key_client, order, endpoint, at_now):
    first = _post_with_key(key_client, order, {"body": "Hello"})

    again = _post_with_key(key_client, order, {"body": "Hello"})

    assert (first.status_code, again.status_code, again["Idempotent-Replayed"]) == (201, 201, "true")
    assert again.json() == first.json()
    assert written() == (1, 1, 1)


def test_the_same_idempotency_key_with_another_body_is_refused(key_client, order, endpoint, at_now):
    _post_with_key(key_client, order, {"body": "Hello"})

    response = _post_with_key(key_client, order, {"body": "Hello again"})

    assert (response.status_code, response.json()["code"]) == (422, "idempotency_key_reused")
    assert written() == (1, 1, 1)
    assert IdempotencyRecord.objects.count() == 1


# --- POST /orders/{external_id}/messages/read ------------------------------------------------------------


@pytest.mark.parametrize(("role", "status"), MARK_READ_BEFORE_ESCALATION)
def test_marking_read_as_each_caller(clients, order, talk, role, status):
    response = clients[role].post(read_url(order))

    assert response.status_code == status


@pytest.mark.parametrize(("role", "status"), [row for row in MARK_READ_BEFORE_ESCALATION if row[1] != 200])
def test_a_refused_read_mark_is_a_problem_document_and_changes_nothing(clients, order, talk, role, status):
    reads = list(ThreadRead.objects.values_list("user_id", "last_read_message_id"))

    response = clients[role].post(read_url(order))

    assert (response["Content-Type"], response.json()["status"]) == (PROBLEM, status)
    assert list(ThreadRead.objects.values_list("user_id", "last_read_message_id")) == reads


@pytest.mark.parametrize(("role", "status"), MARK_READ_AFTER_ESCALATION)
def test_support_marks_read_once_a_case_is_escalated(clients, order, escalated, role, status):
    response = clients[role].post(read_url(order))

    assert response.status_code == status


def test_reading_clears_the_unread_count_and_gives_the_receipt(clients, order, buyer, at_now):
    say(buyer, order, "One")
    last = say(buyer, order, "Two")
    at_now.advance(dt.timedelta(minutes=10))

    response = clients["seller"].post(read_url(order))

    assert (response.status_code, response.json()) == (200, {"read_up_to": last.pk, "read_at": iso(at_now.now())})
    assert clients["seller"].get(messages_url(order)).json()["unread"] == 0


def test_reading_a_conversation_without_messages_reads_nothing(clients, order):
    response = clients["buyer"].post(read_url(order))

    assert (response.status_code, response.json()) == (200, {"read_up_to": None, "read_at": None})
    assert ThreadRead.objects.count() == 0


# --- the message.posted webhook ------------------------------------------------------------------------


def test_each_posted_message_queues_one_message_posted_event(clients, order, endpoint, at_now):
    asked = post_json(clients["marketplace key"], messages_url(order), {"body": "Where is my parcel?"}).json()
    answered = post_json(clients["seller"], messages_url(order), {"body": "On its way."}).json()

    assert posted_events() == [f"message-{asked['id']}", f"message-{answered['id']}"]
    first = WebhookDelivery.objects.get(event_id=f"message-{asked['id']}")
    assert (first.endpoint, first.payload["type"], first.payload["data"]) == (
        endpoint,
        "message.posted",
        {
            "order": order.external_id,
            "message_id": asked["id"],
            "author_role": "buyer",
            "body": "Where is my parcel?",
            "created_at": "2026-11-26T12:00:00Z",
        },
    )


def test_system_messages_queue_no_message_posted_event(order, endpoint, escalated):
    assert Message.objects.filter(kind="system").count() == 2
    assert posted_events() == [f"message-{Message.objects.get(kind='text').pk}"]


def test_another_marketplaces_endpoint_gets_nothing(clients, order, other_marketplace, at_now):
    WebhookEndpoint.objects.create(
        marketplace=other_marketplace, url="https://hooks.example.test/other", secret="whsec_dGVzdHNlY3JldA=="
    )

    post_json(clients["buyer"], messages_url(order), {"body": "Hello"})

    assert WebhookDelivery.objects.count() == 0


def test_a_rolled_back_post_queues_nothing(order, buyer, endpoint, at_now):
    def post_then_fail() -> None:
        with transaction.atomic():
            say(buyer, order, "Hello")
            raise RuntimeError("the change failed")

    with pytest.raises(RuntimeError):
        post_then_fail()

    assert written() == (0, 0, 0)


def test_a_post_failing_after_the_message_was_written_leaves_nothing(key_client, order, endpoint, at_now, monkeypatch):
    def broken(**kwargs):
        raise RuntimeError("the contact could not be recorded")

    monkeypatch.setattr("marketdesk.cases.contact.seller_contact_record", broken)

    response = post_json(key_client, messages_url(order), {"body": "Hello"})

    assert (response.status_code, response["Content-Type"]) == (500, PROBLEM)
    assert written() == (0, 0, 0)


def test_a_signed_in_post_without_the_csrf_token_is_refused(order, seller, at_now):
    client = session_client(seller, enforce_csrf=True)

    response = post_json(client, messages_url(order), {"body": "Hello"})

    assert (response.status_code, response.json()["code"]) == (403, "csrf_failed")
    assert Message.objects.count() == 0
