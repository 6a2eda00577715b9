"""History: one list of a party's conversations, cases and decisions, and its search in English and Russian.

These run on whichever database the suite uses (SQLite FTS5 or PostgreSQL full text), so both
indexes meet the same acceptance: word forms, scoping, odd input, paging.
"""

from __future__ import annotations

import datetime as dt
import importlib
import itertools

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from marketdesk.attachments.models import Attachment
from marketdesk.cases.history_index import history_index_case
from marketdesk.cases.models import Case, CaseType, Decision, DecisionOutcome, Payer
from marketdesk.core import clock
from marketdesk.core.actors import Actor
from marketdesk.history import search
from marketdesk.history.search import HistoryItem, history_for_actor, history_search
from marketdesk.messaging import history_index
from marketdesk.messaging.history_index import history_index_message
from marketdesk.messaging.models import Message, MessageKind, Thread
from marketdesk.messaging.services import order_message_post
from marketdesk.orders.states import OrderStatus
from tests import factories
from tests.attachments import samples
from tests.cases.conftest import client_as
from tests.cases.factories import CaseFactory

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 11, 24, 14, 0, tzinfo=dt.UTC)
HISTORY = "/history/"
MINUTE = dt.timedelta(minutes=1)


@pytest.fixture(autouse=True)
def at_now():
    with clock.frozen(NOW) as frozen:
        yield frozen


@pytest.fixture
def order(marketplace, shop, buyer):
    return factories.OrderFactory(marketplace=marketplace, shop=shop, buyer=buyer, status=OrderStatus.SHIPPED)


@pytest.fixture
def other_seller(marketplace):
    return factories.MembershipFactory(shop=factories.ShopFactory(marketplace=marketplace, name="Other Shop")).user


@pytest.fixture
def other_order(marketplace, other_buyer, other_seller):
    shop = other_seller.memberships.get().shop
    return factories.OrderFactory(marketplace=marketplace, shop=shop, buyer=other_buyer, status=OrderStatus.SHIPPED)


@pytest.fixture
def anonymous():
    return None


@pytest.fixture
def say(at_now):
    """Post a message a minute after the previous thing happened."""

    def say(user, order, body: str) -> Message:
        at_now.advance(MINUTE)
        return order_message_post(actor=Actor.for_user(user), order=order, body=body)

    return say


@pytest.fixture
def open_case(at_now):
    def open_case(order, description: str) -> Case:
        at_now.advance(MINUTE)
        case = CaseFactory(
            order=order, description=description, opened_at=at_now.now(), case_type=CaseType.NOT_AS_DESCRIBED
        )
        history_index_case(case)
        return case

    return open_case


@pytest.fixture
def decide(at_now, operator):
    def decide(case: Case, rationale: str) -> Decision:
        at_now.advance(MINUTE)
        decision = Decision.objects.create(
            case=case,
            outcome=DecisionOutcome.BUYER_FULL_REFUND,
            payer=Payer.SELLER,
            amount_minor=2500,
            currency="GBP",
            reason_code="damaged_in_transit",
            rationale=rationale,
            policy_version=0,
            decided_by=operator,
            decided_at=at_now.now(),
        )
        history_index_case(case)
        return decision

    return decide


def found(user, query: str, **kwargs) -> list[HistoryItem]:
    return history_search(Actor.for_user(user), query=query, **kwargs).items


def walk(read) -> list[list[tuple[str, int]]]:
    """Read page after page, following each page's cursor (at most 20 pages)."""
    pages, cursor = [], None
    for _ in range(20):
        page = read(cursor)
        pages.append([(item.kind, item.pk) for item in page.items])
        cursor = page.next_cursor
        if not cursor:
            break
    return pages


def texts(user, query: str) -> list[str]:
    return [item.snippet.replace("<mark>", "").replace("</mark>", "") for item in found(user, query)]


# Word forms


@pytest.mark.parametrize("query", ["возврат", "возвраты", "возвращу", "Возврата", "ВОЗВРАТОМ"])
def test_russian_word_forms_find_each_other(order, buyer, query, say):
    returns = say(buyer, order, "Оформила возвраты вчера, жду деньги")
    will_return = say(buyer, order, "Я возвращу товар в понедельник")

    assert {item.pk for item in found(buyer, query)} == {returns.pk, will_return.pk}


def test_a_stem_the_stemmer_shortens_again_matches_on_every_database(order, buyer, say):
    cancel = say(buyer, order, "Передумал, нужна отмена заказа")

    assert [item.pk for item in found(buyer, "отменить заказ")] == [cancel.pk]


@pytest.mark.parametrize("query", ["refund", "refunds", "Refunded", "REFUNDING"])
def test_english_word_forms_find_each_other(order, buyer, query, say):
    refunds = say(buyer, order, "Are refunds paid to the card?")
    refunded = say(buyer, order, "You refunded the wrong amount")

    assert {item.pk for item in found(buyer, query)} == {refunds.pk, refunded.pk}


def test_a_word_being_typed_matches_as_a_prefix(order, buyer, say):
    say(buyer, order, "Are refunds paid to the card?")

    assert texts(buyer, "refu") == ["Are refunds paid to the card?"]
    assert texts(buyer, "возвр") == []


def test_every_word_must_match_in_either_language(order, buyer, say):
    say(buyer, order, "The parcel never came")
    say(buyer, order, "The refund never came")
    say(buyer, order, "Посылка пришла, но refund не пришёл")

    assert texts(buyer, "refund came") == ["The refund never came"]
    assert texts(buyer, "посылки refunds") == ["Посылка пришла, но refund не пришёл"]


def test_case_descriptions_and_decision_rationales_are_found(order, buyer, open_case, decide):
    case = open_case(order, "The vase arrived broken into pieces")
    decision = decide(case, "Photos show the vase was broken in transit")

    items = found(buyer, "broken vase")

    assert [(item.kind, item.pk) for item in items] == [("decision", decision.pk), ("case", case.pk)]
    assert items[0].url == reverse("cases:case_detail", args=[case.pk]) + f"#decision-{decision.pk}-title"
    assert (items[1].url, items[1].title, items[1].order_number) == (
        reverse("cases:case_detail", args=[case.pk]),
        "Not as described",
        order.external_id,
    )


def test_system_lines_are_not_searched(order, buyer):
    thread = Thread.objects.create(order=order, buyer=buyer, shop=order.shop)
    Message.objects.create(thread=thread, kind=MessageKind.SYSTEM, author_role="system", body="refund issued")

    assert found(buyer, "refund") == []


def test_rows_written_without_the_index_functions_are_found(order, buyer):
    thread = Thread.objects.create(order=order, buyer=buyer, shop=order.shop)
    message = Message.objects.create(thread=thread, author=buyer, author_role="buyer", body="bulk loaded refund")
    case = CaseFactory(order=order, description="bulk loaded parcel")

    assert [item.pk for item in found(buyer, "bulk loaded")] == [message.pk, case.pk]


def test_history_index_message_makes_a_message_findable_at_once(order, buyer):
    thread = Thread.objects.create(order=order, buyer=buyer, shop=order.shop)
    message = Message.objects.create(thread=thread, author=buyer, author_role="buyer", body="Где мой заказ?")

    history_index_message(message)

    assert [item.pk for item in found(buyer, "заказы")] == [message.pk]


def test_the_reindex_command_rebuilds_everything(order, buyer, capsys, say, open_case, decide):
    say(buyer, order, "Refund please")
    decide(open_case(order, "No refund yet"), "Refund is due")

    call_command("history_reindex")

    assert [item.kind for item in found(buyer, "refund")] == ["decision", "case", "message"]
    assert "History index on" in capsys.readouterr().out


def test_the_migration_indexes_the_columns_the_search_reads():
    migration = importlib.import_module("marketdesk.messaging.migrations.0002_history_search")

    assert migration.DOCUMENT_COLUMN == history_index.PG_DOCUMENT_COLUMN
    assert {table: columns.split(", ") for table, columns in migration.FTS_TABLES.items()} == {
        source.fts_table: ["body", "thread"] if source.thread_field else ["body"]
        for source in history_index.indexed_texts()
    }
    assert {(table, column) for _name, table, column in migration.PG_INDEXES} == {
        (source.model._meta.db_table, source.column) for source in history_index.indexed_texts()
    }


# Scoping


def test_each_party_finds_only_its_own_messages(order, other_order, buyer, other_buyer, seller, other_seller, say):
    say(buyer, order, "Where is my refund?")
    say(other_buyer, other_order, "Refund please")

    assert texts(buyer, "refund") == ["Where is my refund?"]
    assert texts(other_buyer, "refund") == ["Refund please"]
    assert texts(seller, "refund") == ["Where is my refund?"]
    assert texts(other_seller, "refund") == ["Refund please"]


def test_each_party_finds_only_its_own_cases_and_decisions(
    order, other_order, buyer, other_buyer, seller, other_seller, open_case, decide
):
    decide(open_case(order, "Broken lamp"), "The lamp was broken")
    decide(open_case(other_order, "Broken chair"), "The chair was broken")

    assert texts(buyer, "broken") == ["The lamp was broken", "Broken lamp"]
    assert texts(seller, "broken") == ["The lamp was broken", "Broken lamp"]
    assert texts(other_buyer, "broken") == ["The chair was broken", "Broken chair"]
    assert texts(other_seller, "broken") == ["The chair was broken", "Broken chair"]


def test_support_and_the_marketplace_have_no_history(order, buyer, operator, admin_user, marketplace_actor, say):
    message = say(buyer, order, "Where is my refund?")
    Thread.objects.filter(pk=message.thread_id).update(operators_joined_at=NOW)

    assert found(operator, "refund") == []
    assert found(admin_user, "refund") == []
    assert history_search(marketplace_actor, query="refund").items == []
    assert history_for_actor(Actor.for_user(operator)).items == []


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("buyer", 200),
        ("seller", 200),
        ("other_buyer", 200),
        ("other_seller", 200),
        ("operator", 403),
        ("admin_user", 403),
        ("anonymous", 302),
    ],
)
def test_the_history_page_by_role(request, order, buyer, who, status, say):
    say(buyer, order, "Where is my refund?")

    response = client_as(request.getfixturevalue(who)).get(HISTORY, {"q": "refund"})

    assert response.status_code == status


def test_anonymous_visitors_are_sent_to_sign_in():
    response = client_as(None).get(HISTORY, {"q": "refund"})

    assert response["Location"] == reverse("web:login") + "?next=/history/%3Fq%3Drefund"


@pytest.mark.parametrize(
    ("who", "sees"), [("buyer", True), ("seller", True), ("other_buyer", False), ("other_seller", False)]
)
def test_the_search_page_shows_only_the_actors_matches(request, order, buyer, say, who, sees):
    say(buyer, order, "Where is my refund?")

    page = client_as(request.getfixturevalue(who)).get(HISTORY, {"q": "refunds"}).content.decode()

    assert ("Where is my <mark>refund</mark>?" in page) is sees
    assert ("Nothing found for “refunds”" in page) is not sees


# Odd input

ODD_QUERIES = [
    "",
    "   ",
    '"',
    '""',
    "'",
    "*",
    "refund*",
    '"refund',
    "NEAR",
    "NEAR(refund parcel, 2)",
    "refund NEAR parcel",
    "AND OR NOT",
    "refund:* & !",
    "' OR 1=1 --",
    "'); DROP TABLE messaging_message; --",
    "^refund -refund +refund",
    "body:refund",
    "{refund} [refund] (refund)",
    "\\ % _ \x00",
    "🙂🙂",
    "x²³ ½ ª",
    "x" * 10_000,
    "refund " * 2_000,
]


@pytest.mark.parametrize("query", ODD_QUERIES, ids=range(len(ODD_QUERIES)))
def test_odd_queries_answer_normally(order, buyer, query, say):
    message = say(buyer, order, "Where is my refund?")

    assert [item.pk for item in found(buyer, query)] in ([], [message.pk])


@pytest.mark.parametrize("query", ODD_QUERIES, ids=range(len(ODD_QUERIES)))
def test_odd_queries_on_the_page_answer_200(order, buyer, query, say):
    say(buyer, order, "Where is my refund?")

    assert client_as(buyer).get(HISTORY, {"q": query}).status_code == 200


@pytest.mark.parametrize("cursor", ["", "abc", "1.2", "1.9.1", "-5.0.0", "9999999999999999999.3.1", "1.1.1\x00"])
def test_a_malformed_cursor_means_the_first_page(order, buyer, cursor, say):
    message = say(buyer, order, "Where is my refund?")

    assert [item.pk for item in found(buyer, "refund", cursor=cursor)] in ([], [message.pk])
    assert client_as(buyer).get(HISTORY, {"cursor": cursor}).status_code == 200


# Snippets


def test_the_snippet_is_escaped_and_the_match_marked(order, buyer, say):
    say(buyer, order, '<script>alert("x")</script> Refunds & returns')

    (item,) = found(buyer, "refund")

    assert item.snippet == "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; <mark>Refunds</mark> &amp; returns"


def test_a_long_text_is_cut_around_its_first_match(order, buyer, say):
    say(buyer, order, "Hello. " * 100 + "The refund is late. " + "Thanks. " * 100)

    (item,) = found(buyer, "refund")

    assert item.snippet.startswith("…")
    assert item.snippet.endswith("…")
    assert "The <mark>refund</mark> is late." in item.snippet
    assert len(item.snippet) < search.SNIPPET_LENGTH + 40


# The list and its pages


def test_the_history_lists_conversations_cases_and_decisions_newest_first(
    order, buyer, seller, operator, say, open_case, decide
):
    say(buyer, order, "The vase is broken")
    case = open_case(order, "Broken vase")
    decision = decide(case, "The vase was broken in transit")
    say(seller, order, "Sorry about the vase")
    thread = Thread.objects.get(order=order)

    items = history_for_actor(Actor.for_user(buyer)).items

    assert [(item.kind, item.pk) for item in items] == [
        ("conversation", thread.pk),
        ("decision", decision.pk),
        ("case", case.pk),
    ]
    assert (items[0].snippet, items[0].counterpart, items[0].url) == (
        "Sorry about the vase",
        order.shop.name,
        reverse("messaging:conversation", args=[order.pk]),
    )
    assert history_for_actor(Actor.for_user(seller)).items[0].counterpart == buyer.name


def test_paging_walks_every_entry_once_even_at_the_same_moment(marketplace, shop, buyer, operator):
    orders = [factories.OrderFactory(marketplace=marketplace, shop=shop, buyer=buyer) for _ in range(4)]
    expected = set()
    for order in orders:  # all at one moment: the cursor must break ties
        message = order_message_post(actor=Actor.for_user(buyer), order=order, body="refund")
        case = CaseFactory(order=order, description="refund", opened_at=NOW)
        decision = Decision.objects.create(
            case=case, outcome="no_fault", payer="none", currency="GBP", reason_code="other", rationale="refund",
            policy_version=0, decided_by=operator, decided_at=NOW,
        )  # fmt: skip
        expected |= {("message", message.pk), ("case", case.pk), ("decision", decision.pk)}

    actor = Actor.for_user(buyer)
    searched = list(
        itertools.chain(*walk(lambda cursor: history_search(actor, query="refund", limit=5, cursor=cursor)))
    )
    listed = list(itertools.chain(*walk(lambda cursor: history_for_actor(actor, limit=5, cursor=cursor))))

    assert len(searched) == len(set(searched)) == 12
    assert set(searched) == expected
    assert len(listed) == len(set(listed)) == 12


@pytest.mark.parametrize(
    ("recent", "listed", "fts"),
    [(1, 1, 1), (1, 2, 1), (2, 3, 1), (2, 3, 3), (3, 3, 0), (1, 10, 10), (200, 2000, 500)],
)
def test_reading_recent_conversations_first_gives_the_same_pages(
    marketplace, shop, buyer, seller, at_now, monkeypatch, recent, listed, fts
):
    orders = [factories.OrderFactory(marketplace=marketplace, shop=shop, buyer=buyer) for _ in range(4)]
    posted = []
    for n in range(12):  # the conversations interleave in time, and one goes quiet early
        at_now.advance(MINUTE)
        order = orders[n % 3] if n < 9 else orders[3]
        posted.append(order_message_post(actor=Actor.for_user(buyer), order=order, body=f"refund {n}").pk)
    monkeypatch.setattr(search, "RECENT_THREADS", recent)
    monkeypatch.setattr(search, "LISTED_THREADS", listed)
    monkeypatch.setattr(search, "FTS_THREADS", fts)

    pages = walk(lambda cursor: history_search(Actor.for_user(seller), query="refund", limit=2, cursor=cursor))

    newest_first = [("message", pk) for pk in reversed(posted)]
    assert pages == [newest_first[i : i + 2] for i in range(0, 12, 2)]


def test_the_page_links_to_older_entries_and_back(order, buyer, say):
    for n in range(25):
        say(buyer, order, f"refund question {n}")

    first = client_as(buyer).get(HISTORY, {"q": "refund"})
    cursor = first.context["page"].next_cursor
    second = client_as(buyer).get(HISTORY, {"q": "refund", "cursor": cursor})

    assert len(first.context["page"].items) == 20
    assert f'href="/history/?q=refund&amp;cursor={cursor}"' in first.content.decode()
    assert [item.snippet for item in second.context["page"].items] == [
        f"<mark>refund</mark> question {n}" for n in range(4, -1, -1)
    ]
    assert 'href="/history/?q=refund"' in second.content.decode()
    assert second.context["page"].next_cursor == ""


def test_htmx_gets_only_the_results(order, buyer, say):
    say(buyer, order, "Where is my refund?")

    partial = client_as(buyer).get(HISTORY, {"q": "refund"}, headers={"HX-Request": "true"})
    restore = client_as(buyer).get(
        HISTORY, {"q": "refund"}, headers={"HX-Request": "true", "HX-History-Restore-Request": "true"}
    )
    whole = client_as(buyer).get(HISTORY, {"q": "refund"})

    assert "<mark>refund</mark>" in partial.content.decode()
    assert "<html" not in partial.content.decode()
    assert "<html" in restore.content.decode()
    assert 'hx-trigger="input changed delay:300ms, search"' in whole.content.decode()
    assert "HX-Request" in partial["Vary"]
    assert "HX-Request" in whole["Vary"]


def _history_at_size(say, open_case, decide, buyer, marketplace, shop, n: int) -> None:
    for _ in range(n):
        order = factories.OrderFactory(marketplace=marketplace, shop=shop, buyer=buyer)
        say(buyer, order, "refund please")
        decide(open_case(order, "refund missing"), "refund is due")


@pytest.mark.parametrize("query", ["", "refund"])
def test_the_page_costs_the_same_queries_however_long_the_history(
    marketplace, shop, buyer, query, say, open_case, decide
):
    client = client_as(buyer)
    _history_at_size(say, open_case, decide, buyer, marketplace, shop, 2)
    client.get(HISTORY, {"q": query})  # the session, the catch-up of anything not indexed
    with CaptureQueriesContext(connection) as short:
        client.get(HISTORY, {"q": query})
    _history_at_size(say, open_case, decide, buyer, marketplace, shop, 8)
    client.get(HISTORY, {"q": query})
    with CaptureQueriesContext(connection) as long:
        response = client.get(HISTORY, {"q": query})

    assert len(response.context["page"].items) == 20
    assert len(long.captured_queries) == len(short.captured_queries)


# Files


@pytest.fixture
def send_file(at_now, settings, tmp_path):
    """Upload a photo as ``user`` and send it with a message on ``order``, a minute after the last thing."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.TASKS = {
        "default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend", "QUEUES": settings.TASK_QUEUES}
    }

    def send_file(user, order, name: str):
        at_now.advance(MINUTE)
        client = client_as(user)
        uploaded = client.post(reverse("attachments:upload"), {"file": samples.upload(samples.jpeg(), name)})
        assert uploaded.status_code == 201
        posted = client.post(
            reverse("messaging:conversation_post", args=[order.pk]),
            {"body": "See the photo", "attachment_ids": [uploaded.json()["id"]]},
        )
        assert posted.status_code == 302
        return Attachment.objects.get(pk=uploaded.json()["id"])

    return send_file


def test_files_sent_in_a_conversation_are_entries_of_their_own(order, buyer, seller, say, send_file):
    photo = send_file(buyer, order, "broken-vase.jpg")
    say(seller, order, "Thanks, looking")

    buyer_items = history_for_actor(Actor.for_user(buyer)).items
    seller_items = history_for_actor(Actor.for_user(seller)).items

    assert [(i.kind, i.pk) for i in buyer_items] == [
        ("conversation", Thread.objects.get().pk),
        ("attachment", photo.pk),
    ]
    attachment = buyer_items[1]
    assert (attachment.mine, attachment.file["name"], attachment.counterpart) == (
        True,
        "broken-vase.jpg",
        order.shop.name,
    )
    assert attachment.url == reverse("messaging:conversation", args=[order.pk]) + f"#message-{photo.owner_id}"
    assert attachment.file["url"].startswith("/attachments/f/")
    assert (seller_items[1].kind, seller_items[1].mine, seller_items[1].title) == ("attachment", False, buyer.name)


def test_a_file_is_found_by_its_name_and_only_by_its_parties(order, other_order, buyer, other_buyer, seller, send_file):
    photo = send_file(buyer, order, "Broken-Vase_front.jpg")
    send_file(other_buyer, other_order, "vase.jpg")

    mine = found(buyer, "vase front")
    sellers = found(seller, "broken")

    assert [(i.kind, i.pk) for i in mine] == [("attachment", photo.pk)]
    assert "<mark>" in str(mine[0].snippet)
    assert [(i.kind, i.pk) for i in sellers] == [("attachment", photo.pk)]
    assert found(buyer, "receipt") == []


def test_a_file_that_was_uploaded_but_never_sent_is_not_in_the_history(order, buyer, send_file):
    client_as(buyer).post(reverse("attachments:upload"), {"file": samples.upload(samples.jpeg(), "draft.jpg")})

    assert [i.kind for i in history_for_actor(Actor.for_user(buyer)).items] == []
    assert found(buyer, "draft") == []


def test_the_history_page_shows_a_file_with_its_download_link(order, buyer, send_file):
    photo = send_file(buyer, order, "receipt.jpg")

    page = client_as(buyer).get(HISTORY).content.decode()

    assert "You sent receipt.jpg" in page
    assert 'href="/attachments/f/' in page
    assert f"#message-{photo.owner_id}" in page
