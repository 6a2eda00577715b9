"""The parties' history: the reads of its full-text index, in English and Russian.

``messaging.history_index`` writes the index (messages; cases register their descriptions and
decision rationales, ``cases.history_index``) and says how a word is stemmed; here a query's
words are stemmed the same way, so «возвращу» finds «возвраты» and "refund" finds "refunds", the
last word may be unfinished (a stem is matched as a prefix). On SQLite a search first catches up
with rows written without the index functions; on PostgreSQL the ``history_document`` columns are
queried.

Files sent with messages are entries of their own, found by their names (a plain substring
match: a file name is a few words, and the actor's files are few).

Reads are scoped by construction: messages through ``threads_for_actor``, cases and decisions
through ``cases_for_actor``; only buyers and sellers have a history.
"""

from __future__ import annotations

import datetime as dt
import operator
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import reduce
from typing import Any, cast

from django.contrib.postgres.search import SearchQuery, SearchVectorField
from django.db.models import F, Model, OuterRef, Q, QuerySet, Subquery
from django.db.models.expressions import RawSQL
from django.urls import reverse
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from marketdesk.attachments.models import Attachment
from marketdesk.attachments.presenters import attachment_view
from marketdesk.cases.history_index import CASES, DECISIONS, KIND_CASE, KIND_DECISION
from marketdesk.cases.models import Case, Decision
from marketdesk.cases.selectors import cases_for_actor
from marketdesk.core.actors import Actor, Role
from marketdesk.helpcenter.text import MAX_QUERY_WORDS, MAX_WORD_LENGTH, STOPWORDS, WORD_RE, stem, stem_variants, words
from marketdesk.messaging.history_index import (
    KIND_MESSAGE,
    MESSAGES,
    PG_DOCUMENT_COLUMN,
    IndexedText,
    history_index_catch_up,
    index_on_sqlite,
    language_of,
)
from marketdesk.messaging.models import Message, MessageKind, Thread
from marketdesk.messaging.selectors import threads_for_actor

KIND_CONVERSATION = "conversation"
KIND_ATTACHMENT = "attachment"
# Entries at the same moment are ordered by kind, then id: any fixed order will do, as long as
# the page cursor uses the same one.
_RANK = {KIND_ATTACHMENT: 4, KIND_DECISION: 3, KIND_CASE: 2, KIND_CONVERSATION: 1, KIND_MESSAGE: 0}

# How a message's files are recorded as owned (attachments.access.owner_label).
MESSAGE_OWNER = Message._meta.label_lower

PAGE_SIZE = 20
MAX_LIMIT = 100
# Longer input is not a question anyone types; only its first words count anyway.
MAX_QUERY_CHARS = 1000
MIN_PREFIX_LENGTH = 3
SNIPPET_LENGTH = 180
PG_CONFIGS = {"en": "english", "ru": "russian"}
# How many of the actor's most recent conversations a search reads first, and up to how many it
# names in a query rather than a subquery (see _matching_messages).
RECENT_THREADS = 200
LISTED_THREADS = 2000
# Up to how many threads SQLite's full-text query itself is limited to; past that, listing every
# match of the words and joining is cheaper than a query naming that many threads.
FTS_THREADS = 500


@dataclass(frozen=True)
class HistoryItem:
    """One entry of a party's history, with the page it leads to."""

    kind: str  # conversation, message, case, decision or attachment
    pk: int
    at: dt.datetime
    order_id: int
    order_number: str
    counterpart: str  # the shop for a buyer, the buyer for a seller
    title: str  # the case type, the decision's outcome, a message's author
    snippet: SafeString  # escaped text, the words the query matched in <mark>
    url: str
    case_id: int | None = None
    status: str = ""  # a case's status
    mine: bool = False  # a message (or a file) the actor sent
    file: dict[str, Any] | None = None  # an attachment as attachments.presenters shows it (fresh signed links)


@dataclass(frozen=True)
class HistoryPage:
    """A page of history, newest first; ``next_cursor`` asks for the older entries ("" at the end)."""

    items: list[HistoryItem]
    next_cursor: str = ""


@dataclass(frozen=True)
class _Term:
    """One word of a query: its language and the stems that match it (all alternatives)."""

    language: str
    stems: tuple[str, ...]


@dataclass(frozen=True)
class _Cursor:
    at: dt.datetime
    rank: int
    pk: int


_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
_MICROSECOND = dt.timedelta(microseconds=1)
_CURSOR_RE = re.compile(r"(-?\d{1,19})\.(\d)\.(\d{1,19})")


@dataclass(frozen=True)
class _Found:
    """A row that may make the page: its kind, time and id (only the rows that make it are loaded)."""

    kind: str
    at: dt.datetime
    pk: int

    @property
    def key(self) -> tuple[dt.datetime, int, int]:
        return (self.at, _RANK[self.kind], self.pk)


def _cursor_of(found: _Found) -> str:
    return f"{(found.at - _EPOCH) // _MICROSECOND}.{_RANK[found.kind]}.{found.pk}"


def _cursor_read(value: str | None) -> _Cursor | None:
    """Return the position a cursor names; a malformed one means the first page."""
    match = _CURSOR_RE.fullmatch(value or "")
    if match is None:
        return None
    try:
        at = _EPOCH + int(match[1]) * _MICROSECOND
    except OverflowError:
        return None
    return _Cursor(at=at, rank=int(match[2]), pk=int(match[3]))


def _older(cursor: _Cursor | None, kind: str, field: str) -> Q:
    """Rows of ``kind`` after the cursor in (time, kind, id) order, newest first."""
    if cursor is None:
        return Q()
    older = Q(**{f"{field}__lt": cursor.at})
    rank = _RANK[kind]
    if rank < cursor.rank:
        return older | Q(**{field: cursor.at})
    if rank == cursor.rank:
        return older | Q(**{field: cursor.at, "pk__lt": cursor.pk})
    return older


def _page(actor: Actor, found: list[_Found], limit: int, stems: tuple[str, ...]) -> HistoryPage:
    """Merge each kind's newest ``limit + 1`` rows into one page; more than ``limit`` means another page."""
    found.sort(key=lambda f: f.key, reverse=True)
    shown = found[:limit]
    rows: dict[str, dict[int, Any]] = {}
    for kind, load in _LOAD.items():
        pks = [f.pk for f in shown if f.kind == kind]
        rows[kind] = load(pks) if pks else {}
    # Rows are never deleted, but a page should not fail if one were gone by now.
    items = [_ITEMS[f.kind](actor, rows[f.kind][f.pk], stems) for f in shown if f.pk in rows[f.kind]]
    return HistoryPage(items=items, next_cursor=_cursor_of(shown[-1]) if len(found) > limit else "")


def _terms(query: str) -> list[_Term]:
    """Return the words of a query worth searching for, each with its stems, at most ``MAX_QUERY_WORDS``."""
    terms = []
    for word in dict.fromkeys(words(query[:MAX_QUERY_CHARS])):
        language = language_of(word)
        if word not in STOPWORDS[language]:
            stems = stem_variants(word, language)
            # PostgreSQL stems a query's stems once more («отменить» → отмен → отм, which «отмена»
            # is stemmed to); SQLite tries the same, so both databases find the same rows.
            stems += [stem(s, language) for s in stems]
            terms.append(_Term(language, tuple(dict.fromkeys(stems))))
    return terms[:MAX_QUERY_WORDS]


def _stem_matches(word_stem: str, stems: tuple[str, ...]) -> bool:
    return any(word_stem.startswith(s) if len(s) >= MIN_PREFIX_LENGTH else word_stem == s for s in stems)


def _fts_phrase(word_stem: str) -> str:
    # Stems hold only letters and digits (text.WORD_RE), so the quotes cannot be broken out of.
    return f'"{word_stem}"*' if len(word_stem) >= MIN_PREFIX_LENGTH else f'"{word_stem}"'


def _pg_lexeme(word_stem: str) -> str:
    # Letters and digits only (text.WORD_RE): nothing in them can act as a tsquery operator.
    return f"{word_stem}:*" if len(word_stem) >= MIN_PREFIX_LENGTH else word_stem


def _matching[M: Model](
    qs: QuerySet[M], source: IndexedText, terms: list[_Term], *, threads: list[int] | None = None
) -> QuerySet[M]:
    """Narrow ``qs`` to the rows whose text has every term (as one of its stems).

    ``threads``, the ids of the threads ``qs`` is already limited to, lets SQLite's index look only
    at those when they are few: otherwise FTS5 lists every match of a common word before the join
    drops them.
    """
    if index_on_sqlite():
        match = " AND ".join("(" + " OR ".join(_fts_phrase(s) for s in term.stems) + ")" for term in terms)
        if threads is not None and len(threads) <= FTS_THREADS:
            if not threads:
                return qs.none()
            # Thread ids are integers: nothing in them can break out of the quotes.
            match = f"body : ({match}) AND thread : (" + " OR ".join(f'"{int(t)}"' for t in threads) + ")"
        fts = source.fts_table
        return qs.filter(pk__in=RawSQL(f"SELECT rowid FROM {fts} WHERE {fts} MATCH %s", (match,)))  # noqa: S611, S608
    query: Any = None
    for term in terms:
        part = SearchQuery(
            " | ".join(_pg_lexeme(s) for s in term.stems), config=PG_CONFIGS[term.language], search_type="raw"
        )
        query = part if query is None else query & part
    # The column exists on PostgreSQL only, so the models do not declare it; the names are constants.
    # An alias is not selected: the vector is read for the match, never sent back.
    column = f'"{source.model._meta.db_table}"."{PG_DOCUMENT_COLUMN}"'
    document = RawSQL(column, (), output_field=SearchVectorField())  # noqa: S611
    # django-stubs types alias() as losing the model; it keeps it.
    return cast("QuerySet[M]", qs.alias(history_document=document).filter(history_document=query))


def snippet_html(text: str, stems: tuple[str, ...] = ()) -> SafeString:
    """Return about ``SNIPPET_LENGTH`` characters of ``text`` around its first match, escaped, matches in <mark>."""
    marks: list[tuple[int, int]] = []
    start = 0
    if stems:
        for found in WORD_RE.finditer(text):
            if marks and found.start() >= start + SNIPPET_LENGTH:
                break
            word = found.group().lower().replace("ё", "е")
            if len(word) <= MAX_WORD_LENGTH and _stem_matches(stem(word, language_of(word)), stems):
                if not marks:
                    start = max(0, found.start() - SNIPPET_LENGTH // 3)
                    space = text.find(" ", start, found.start())
                    start = space + 1 if start and space >= 0 else start  # begin on a word boundary
                marks.append(found.span())
    end = min(len(text), start + SNIPPET_LENGTH)
    parts = ["…" if start else ""]
    position = start
    for mark_start, mark_end in marks:
        if mark_start >= end:
            break
        marked = text[mark_start : min(mark_end, end)]
        parts += [escape(text[position:mark_start]), "<mark>", escape(marked), "</mark>"]
        position = mark_start + len(marked)
    parts += [escape(text[position:end]), "…" if end < len(text) else ""]
    # Every piece of the text is escaped above; only the <mark> tags are markup.
    return mark_safe("".join(parts))


def _parties_only(actor: Actor) -> bool:
    return actor.role in (Role.BUYER, Role.SELLER) and actor.user is not None


def _thread_ids(actor: Actor) -> QuerySet[Thread, Any]:
    return threads_for_actor(actor).order_by().values("pk")


def _case_ids(actor: Actor) -> QuerySet[Case, Any]:
    return cases_for_actor(actor).order_by().values("pk")


def _conversation_url(order_id: int, anchor: str = "") -> str:
    return reverse("messaging:conversation", args=[order_id]) + anchor


def _case_url(case_id: int, anchor: str = "") -> str:
    return reverse("cases:case_detail", args=[case_id]) + anchor


def _about(actor: Actor, holder: Thread | Case) -> dict[str, Any]:
    """The order an entry is about and the other party, from its thread or case (loaded with them)."""
    return {
        "order_id": holder.order_id,
        "order_number": holder.order.external_id,
        "counterpart": holder.buyer.name if actor.role == Role.SELLER else holder.shop.name,
    }


def _message_item(actor: Actor, m: Message, stems: tuple[str, ...]) -> HistoryItem:
    return HistoryItem(
        kind=KIND_MESSAGE,
        pk=m.pk,
        at=m.created_at,
        title=m.author.name if m.author is not None else "",
        snippet=snippet_html(m.body, stems),
        url=_conversation_url(m.thread.order_id, f"#message-{m.pk}"),
        mine=actor.user is not None and m.author_id == actor.user.pk,
        **_about(actor, m.thread),
    )


def _case_item(actor: Actor, c: Case, stems: tuple[str, ...]) -> HistoryItem:
    status = str(c.get_status_display())
    title = str(c.get_case_type_display())
    return HistoryItem(
        kind=KIND_CASE, pk=c.pk, at=c.opened_at, title=title, snippet=snippet_html(c.description, stems),
        url=_case_url(c.pk), case_id=c.pk, status=status, **_about(actor, c),
    )  # fmt: skip


def _decision_item(actor: Actor, d: Decision, stems: tuple[str, ...]) -> HistoryItem:
    url = _case_url(d.case_id, f"#decision-{d.pk}-title")
    return HistoryItem(
        kind=KIND_DECISION, pk=d.pk, at=d.decided_at, title=str(d.get_outcome_display()),
        snippet=snippet_html(d.rationale, stems), url=url, case_id=d.case_id, **_about(actor, d.case),
    )  # fmt: skip


def _conversation_item(actor: Actor, t: Thread, stems: tuple[str, ...]) -> HistoryItem:
    return HistoryItem(
        kind=KIND_CONVERSATION,
        pk=t.pk,
        at=t.last_message_at or t.created_at,
        title="",
        snippet=snippet_html(getattr(t, "latest_text", None) or ""),
        url=_conversation_url(t.order_id),
        **_about(actor, t),
    )


def _attachment_item(actor: Actor, row: tuple[Attachment, Message], stems: tuple[str, ...]) -> HistoryItem:
    a, message = row
    return HistoryItem(
        kind=KIND_ATTACHMENT,
        pk=a.pk,
        at=a.claimed_at or a.created_at,
        title=message.author.name if message.author is not None else "",
        snippet=snippet_html(a.original_name, stems),
        url=_conversation_url(message.thread.order_id, f"#message-{message.pk}"),
        mine=actor.user is not None and a.uploader_id == actor.user.pk,
        file=attachment_view(a),
        **_about(actor, message.thread),
    )


_ITEMS: dict[str, Callable[[Actor, Any, tuple[str, ...]], HistoryItem]] = {
    KIND_ATTACHMENT: _attachment_item,
    KIND_MESSAGE: _message_item,
    KIND_CASE: _case_item,
    KIND_DECISION: _decision_item,
    KIND_CONVERSATION: _conversation_item,
}


def _latest_text() -> Subquery:
    latest = Message.objects.filter(thread=OuterRef("pk"), kind=MessageKind.TEXT).order_by("-created_at", "-id")
    return Subquery(latest.values("body")[:1])


def _attachments_with_messages(pks: list[int]) -> dict[int, tuple[Attachment, Message]]:
    """Load attachments and, in one more query, the messages they belong to (no foreign key joins them)."""
    found = Attachment.objects.in_bulk(pks)
    messages = Message.objects.select_related("thread__order", "thread__shop", "thread__buyer", "author").in_bulk(
        [int(a.owner_id or 0) for a in found.values()]
    )
    return {pk: (a, messages[int(a.owner_id or 0)]) for pk, a in found.items()}


# The rows of a page, by id: the candidates came from the actor's selectors, so these plain
# lookups (quick to plan, unlike the scoped queries with all their joins) show nothing more.
_LOAD: dict[str, Callable[[list[int]], dict[int, Any]]] = {
    KIND_CONVERSATION: lambda pks: (
        Thread.objects.select_related("order", "shop", "buyer").annotate(latest_text=_latest_text()).in_bulk(pks)
    ),
    KIND_MESSAGE: lambda pks: Message.objects.select_related(
        "thread__order", "thread__shop", "thread__buyer", "author"
    ).in_bulk(pks),
    KIND_CASE: lambda pks: Case.objects.select_related("order", "shop", "buyer").in_bulk(pks),
    KIND_DECISION: lambda pks: Decision.objects.select_related("case__order", "case__shop", "case__buyer").in_bulk(pks),
    KIND_ATTACHMENT: _attachments_with_messages,
}


def _newest(kind: str, qs: QuerySet[Any], field: str, limit: int) -> list[_Found]:
    """Return the newest ``limit + 1`` rows of ``qs`` as candidates (ids and times only: cheap to plan)."""
    rows = qs.order_by(f"-{field}", "-pk").values_list("pk", field)[: limit + 1]
    return [_Found(kind, at, pk) for pk, at in rows]


def _cases(actor: Actor, after: _Cursor | None) -> QuerySet[Case]:
    return cases_for_actor(actor).filter(_older(after, KIND_CASE, "opened_at"))


def _decisions(actor: Actor, after: _Cursor | None) -> QuerySet[Decision]:
    return Decision.objects.filter(_older(after, KIND_DECISION, "decided_at"), case__in=_case_ids(actor))


def _attachments(actor: Actor, after: _Cursor | None) -> QuerySet[Attachment]:
    """The files of the actor's conversations: those sent with messages, not uploads still unsent."""
    messages = Message.objects.filter(thread__in=_thread_ids(actor)).values("pk")
    return Attachment.objects.filter(
        _older(after, KIND_ATTACHMENT, "claimed_at"), owner_type=MESSAGE_OWNER, owner_id__in=messages
    )


def _named(qs: QuerySet[Attachment], terms: list[_Term]) -> QuerySet[Attachment]:
    """Narrow to files whose name holds every term (a file name is a few words: no index needed)."""
    for term in terms:
        qs = qs.filter(reduce(operator.or_, (Q(original_name__icontains=s) for s in term.stems)))
    return qs


def _limit(limit: int) -> int:
    return max(1, min(int(limit), MAX_LIMIT))


def history_for_actor(actor: Actor, *, limit: int = PAGE_SIZE, cursor: str | None = None) -> HistoryPage:
    """Return a buyer's or a seller's conversations, cases, decisions and files in one list, newest first."""
    if not _parties_only(actor):
        return HistoryPage(items=[])
    limit, after = _limit(limit), _cursor_read(cursor)
    threads = threads_for_actor(actor).filter(
        _older(after, KIND_CONVERSATION, "last_message_at"), last_message_at__isnull=False
    )
    found = _newest(KIND_CONVERSATION, threads, "last_message_at", limit)
    found += _newest(KIND_CASE, _cases(actor, after), "opened_at", limit)
    found += _newest(KIND_DECISION, _decisions(actor, after), "decided_at", limit)
    found += _newest(KIND_ATTACHMENT, _attachments(actor, after), "claimed_at", limit)
    return _page(actor, found, limit, ())


def _matching_messages(actor: Actor, terms: list[_Term], after: _Cursor | None, limit: int) -> list[_Found]:
    """Return the newest ``limit + 1`` of the actor's messages that match, looking at recent threads first.

    Every message of a thread is at most as new as the thread's ``last_message_at`` (the messaging
    services set both in one transaction). So when the newest ``RECENT_THREADS`` threads already hold
    ``limit + 1`` matches newer than the next thread's last message, nothing older can beat them:
    a busy shop's search for a common word reads a few thousand messages, not all of them.
    Otherwise every thread is searched: named one by one when there are at most ``LISTED_THREADS``
    (the planner then knows how many messages that is), else from the full-text index outwards.
    """
    messages = Message.objects.filter(_older(after, KIND_MESSAGE, "created_at"), kind=MessageKind.TEXT)
    threads = list(
        threads_for_actor(actor)
        .order_by(F("last_message_at").desc(nulls_first=True), "-pk")
        .values_list("pk", "last_message_at")[: LISTED_THREADS + 1]
    )
    recent = [pk for pk, _at in threads[:RECENT_THREADS]]
    in_recent = _matching(messages.filter(thread__in=recent), MESSAGES, terms, threads=recent)
    found = _newest(KIND_MESSAGE, in_recent, "created_at", limit)
    if len(threads) <= RECENT_THREADS:
        return found  # those were all the actor's threads
    boundary = threads[RECENT_THREADS][1]
    if boundary is not None and len(found) > limit and found[limit].at > boundary:
        return found
    if len(threads) <= LISTED_THREADS:
        listed = [pk for pk, _at in threads]
        in_listed = _matching(messages.filter(thread__in=listed), MESSAGES, terms, threads=listed)
        return _newest(KIND_MESSAGE, in_listed, "created_at", limit)
    # Adding 0 hides the thread index from the planner, which cannot tell a shop of 10,000
    # conversations from one of 10: it then starts from the full-text index, as it should here.
    fenced = messages.alias(scoped_thread=F("thread_id") + 0).filter(scoped_thread__in=_thread_ids(actor))
    return _newest(KIND_MESSAGE, _matching(fenced, MESSAGES, terms), "created_at", limit)


def history_search(actor: Actor, *, query: str, limit: int = PAGE_SIZE, cursor: str | None = None) -> HistoryPage:
    """Find the actor's messages, case descriptions, decision rationales and file names having every word of ``query``.

    Newest first, ``limit`` at a time; a word matches in any of its forms (by stem, in English or
    Russian by its letters), the last one also unfinished. No words worth searching for, no results.
    """
    terms = _terms(query or "")
    if not terms or not _parties_only(actor):
        return HistoryPage(items=[])
    history_index_catch_up()
    limit, after = _limit(limit), _cursor_read(cursor)
    stems = tuple(s for term in terms for s in term.stems)
    found = _matching_messages(actor, terms, after, limit)
    found += _newest(KIND_CASE, _matching(_cases(actor, after), CASES, terms), "opened_at", limit)
    found += _newest(KIND_DECISION, _matching(_decisions(actor, after), DECISIONS, terms), "decided_at", limit)
    found += _newest(KIND_ATTACHMENT, _named(_attachments(actor, after), terms), "claimed_at", limit)
    return _page(actor, found, limit, stems)
