"""The queue's rows as the page draws them: every cell worked out once per page, each row's markup built here.

A page of 50 rows drawn by the template engine (an include for the clock, a tag for the badge, a link reversed
per row, a lookup per cell) cost more than every query of the page together; built here it costs a small,
fixed amount per row. The markup is the one the queue always had (``test_queue_page`` and the density
journey hold it), so the page looks the same in both languages.
"""

from __future__ import annotations

import datetime as dt
import html
from collections.abc import Callable
from dataclasses import dataclass, replace
from functools import partial

from django.urls import reverse
from django.utils import timezone
from django.utils.dateformat import format as date_format
from django.utils.formats import get_format
from django.utils.safestring import SafeData, SafeString, mark_safe
from django.utils.translation import gettext

from marketdesk.accounts.models import User
from marketdesk.cases.models import Case
from marketdesk.cases.presenters import CASE_STATUS_TONES
from marketdesk.cases.states import CaseStatus
from marketdesk.console.deadlines import Calendars, Clock, case_clocks, return_clock
from marketdesk.console.selectors.queue import CASE, RETURN
from marketdesk.core.money import Money
from marketdesk.disputes.presenters import status_badge
from marketdesk.returns.models import Return
from marketdesk.returns.presenters import STATUS_TONES as RETURN_STATUS_TONES
from marketdesk.returns.states import ReturnStatus
from marketdesk.risk.models import RiskKind
from marketdesk.standards.models import Enforcement

#: A page's risk signals: kinds per buyer id, kinds per shop id (``risk.selectors.risk_kinds_for_page``).
PageRisks = tuple[dict[int, list[str]], dict[int, list[str]]]


def _html(template: str, *args: object) -> SafeString:
    """``format_html`` for the hot loop: the same escaping (``html.escape``; safe strings as they are), called
    directly instead of through Django's lazy-aware wrappers, which cost more than the row's own work."""
    return mark_safe(template.format(*(a if isinstance(a, SafeData) else html.escape(str(a)) for a in args)))


@dataclass(frozen=True)
class QueueRow:
    """One row of the queue: a case (claimable) or a return (its party's deadline only), with its clock."""

    kind: str
    pk: int
    label: str  # a return's code; a case shows its number
    open_url: str
    claim_url: str
    order_ref: str
    shop_id: int
    shop_name: str
    reason: str
    at_stake: str
    status_label: str
    status_tone: str
    clock: Clock | None
    assignee_id: int | None
    assignee_name: str
    language: str
    measure: Enforcement | None
    html: SafeString


class _Page:
    """What every row of a page shares, worked out once: links, words, calendars, the sellers' measures."""

    MARK = 987654321

    def __init__(
        self, *, view: str, user_id: int, measures: dict[int, Enforcement], now: dt.datetime, risks: PageRisks
    ) -> None:
        self.view, self.user_id, self.measures, self.now = view, user_id, measures, now
        self.buyer_risks, self.shop_risks = risks
        self.calendars = Calendars()
        # The language's formats, looked up once (the ``date`` filter looks them up for every value).
        self.short_datetime, self.short_date = get_format("SHORT_DATETIME_FORMAT"), get_format("SHORT_DATE_FORMAT")
        self._links = {
            name: reverse(name, args=[self.MARK])
            for name in ("returns:return_detail", "cases:workspace", "console:claim")
        }
        self.words = {
            "return": gettext("Return"),
            "no_bulk": gettext("Returns have no bulk actions"),
            "only_seller": gettext("Only this seller"),
            "paused": gettext("paused while a party answers"),
            "party_move": gettext("The party's move"),
            "claim": gettext("Claim"),
            "since": gettext("In force since"),
            "select": gettext("Select case %(number)s"),
            "buyer_risk": gettext("Buyer risk"),
            "seller_risk": gettext("Seller risk"),
        }

        self._labels: dict[tuple[str, str], str] = {}

    def label(self, kind: str, code: str, found: Callable[[], object]) -> str:
        """Return a translated label once per page (a lazy label costs a catalogue lookup each time it is read)."""
        key = (kind, code)
        if key not in self._labels:
            self._labels[key] = str(found())
        return self._labels[key]

    def link(self, name: str, pk: int) -> str:
        return self._links[name].replace(str(self.MARK), str(pk))


def queue_rows_shown(
    items: list[Case | Return],
    *,
    view: str,
    user_id: int,
    measures: dict[int, Enforcement],
    now: dt.datetime,
    risks: PageRisks = ({}, {}),
) -> list[QueueRow]:
    """Return the page's rows, ready to draw: one calendar per marketplace, links reversed once, words once."""
    page = _Page(view=view, user_id=user_id, measures=measures, now=now, risks=risks)
    return [_return_row(item, page) if isinstance(item, Return) else _case_row(item, page) for item in items]


def _return_row(ret: Return, page: _Page) -> QueueRow:
    found = return_clock(ret, page.calendars, now=page.now)
    stake = ret.refund_minor if ret.refund_minor is not None else ret.order.total_minor
    badge = status_badge(ReturnStatus, RETURN_STATUS_TONES, ret.status)
    row = QueueRow(
        RETURN, ret.pk, ret.code, page.link("returns:return_detail", ret.pk), "", ret.order.external_id, ret.shop_id,
        ret.shop.name, page.label("reason", ret.reason, ret.get_reason_display), Money(stake, ret.order.currency).format(),
        page.label("return", ret.status, lambda: badge["label"]), badge["tone"], found, None, "", ret.buyer.language, page.measures.get(ret.shop_id), mark_safe(""),
    )  # fmt: skip
    w = page.words
    first = _html(
        '<tr data-queue-row data-kind="return" data-open-url="{}" tabindex="-1">'
        '<td><span class="visually-hidden">{}</span></td>'
        '<td><a href="{}" data-open title="{}">{} {}</a></td>',
        row.open_url, w["no_bulk"], row.open_url, row.order_ref, w["return"], row.label,
    )  # fmt: skip
    who = _html('<td><span class="muted small">{}</span></td>', w["party_move"])
    # A return's words for its clock follow its status and what the buyer wants.
    return _with_html(row, first, who, page, f"return:{ret.status}:{ret.resolution}", buyer_id=ret.buyer_id)


def _case_row(case: Case, page: _Page) -> QueueRow:
    # A case about one line puts that line at stake; a case about the order, the whole order.
    stake = case.line.total_minor if case.line is not None else case.order.total_minor
    clocks = case_clocks(case, page.calendars, now=page.now)
    badge = status_badge(CaseStatus, CASE_STATUS_TONES, case.status)
    row = QueueRow(
        CASE, case.pk, "", page.link("cases:workspace", case.pk), page.link("console:claim", case.pk),
        case.order.external_id, case.shop_id, case.shop.name, page.label("type", case.case_type, case.get_case_type_display),
        Money(stake, case.order.currency).format(), page.label("case", case.status, lambda: badge["label"]), badge["tone"], clocks[0] if clocks else None,
        case.assignee_id, case.assignee.name if case.assignee is not None else "", case.buyer.language,
        page.measures.get(case.shop_id), mark_safe(""),
    )  # fmt: skip
    w = page.words
    first = _html(
        '<tr data-queue-row data-kind="case" data-open-url="{}" data-claim-url="{}" tabindex="-1">'
        '<td><input type="checkbox" name="cases" value="{}" aria-label="{}"></td>'
        '<td><a href="{}" data-open title="{}">#{}</a></td>',
        row.open_url, row.claim_url, row.pk, w["select"] % {"number": row.pk}, row.open_url, row.order_ref, row.pk,
    )  # fmt: skip
    if row.assignee_id:
        mine = " assignee--me" if row.assignee_id == page.user_id else ""
        who = _html('<td class="cell-clip"><span class="assignee{}">{}</span></td>', mine, row.assignee_name)
    else:
        who = _html(
            '<td class="cell-clip"><button type="submit" class="btn btn--ghost btn--xs" formaction="{}" data-claim>'
            "{}</button></td>",
            row.claim_url,
            w["claim"],
        )
    return _with_html(row, first, who, page, f"case:{case.status}", buyer_id=case.buyer_id)


def _clock_html(clock: Clock | None, page: _Page, key: str) -> SafeString:
    """Draw the clock; ``key`` names what its words depend on (the row's kind and status), to look them up once."""
    if clock is None:
        return mark_safe('<span class="muted">—</span>')
    if clock.paused:
        return _html(
            '<span class="clock clock--{}" title="{}"><span class="clock__owner">{}</span> '
            '<span class="clock__left">{}</span></span>',
            clock.tone, page.label("purpose", f"{key}:{clock.owner}", lambda: clock.purpose),
            page.label("owner", clock.owner, lambda: clock.owner_label), page.words["paused"],
        )  # fmt: skip
    due = timezone.localtime(clock.due_at)
    return _html(
        '<span class="clock clock--{}" title="{} · {}"><span class="clock__owner">{}</span> '
        '<time class="clock__left" datetime="{}">{}</time></span>',
        clock.tone, page.label("purpose", f"{key}:{clock.owner}", lambda: clock.purpose),
        date_format(due, page.short_datetime), page.label("owner", clock.owner, lambda: clock.owner_label),
        due.isoformat(),  # what the "c" format gives, without a formatter per row
        clock.countdown.text,
    )  # fmt: skip


def _risk_label(kind: str) -> object:
    return RiskKind(kind).label


def _risk_html(page: _Page, party: str, kinds: list[str]) -> SafeString | str:
    """Draw a party's risk badge (the kinds in its title), or nothing: operators only, read once per page."""
    if not kinds:
        return ""
    titles = ", ".join(page.label("risk", kind, partial(_risk_label, kind)) for kind in kinds)
    return _html(
        ' <span class="badge badge--accent" data-risk="{}" title="{}">{}</span>',
        party,
        titles,
        page.words[f"{party}_risk"],
    )


def _with_html(row: QueueRow, first: SafeString, who: SafeString, page: _Page, key: str, *, buyer_id: int) -> QueueRow:
    measure = row.measure
    badge = (
        _html(
            ' <span class="badge badge--warning" title="{} {}">{}</span>',
            page.words["since"],
            date_format(timezone.localtime(measure.effective_at), page.short_date),
            page.label("measure", measure.kind, measure.get_kind_display),
        )
        if measure is not None
        else ""
    )
    rest = _html(
        '<td class="cell-clip"><a href="?view={}&amp;seller={}" title="{}">{}</a></td>'
        '<td class="cell-clip">{}</td><td class="num">{}</td>'
        '<td class="cell-status"><span class="badge badge--{}"><span class="badge__dot" aria-hidden="true"></span>'
        "{}</span></td>"
        '<td class="clocks">{}</td>{}<td class="flags"><span class="tag tag--sm">{}</span>{}{}{}</td></tr>',
        page.view, row.shop_id, page.words["only_seller"], row.shop_name, row.reason, row.at_stake, row.status_tone,
        row.status_label, _clock_html(row.clock, page, key), who, row.language.upper(), badge,
        _risk_html(page, "buyer", page.buyer_risks.get(buyer_id, [])),
        _risk_html(page, "seller", page.shop_risks.get(row.shop_id, [])),
    )  # fmt: skip
    return replace(row, html=first + rest)


@dataclass(frozen=True)
class TeamShown:
    """The queue's operators drawn once per page: the assignee filter's options (the chosen one selected), the
    bulk bar's options, and the strip of who works on what."""

    filter_options: SafeString
    options: SafeString
    strip: SafeString


_TEAM_LINK = (
    '\n      <a href="?view=all&amp;assignee={}">{} '
    '<span class="count-badge count-badge--muted" title="{}">{}</span></a>\n    '
)


def team_shown(operators: list[User], *, selected: str) -> TeamShown:
    """Return the page's markup for its operators (three loops of the template, once per page in Python)."""
    held = gettext("Open cases they hold")
    names = [(str(person.pk), person.name, getattr(person, "working", 0)) for person in operators]
    return TeamShown(
        filter_options=mark_safe(
            "".join(
                _html('<option value="{}"{}>{}</option>', pk, mark_safe(" selected" if pk == selected else ""), name)
                for pk, name, _n in names
            )
        ),
        options=mark_safe("".join(_html('<option value="{}">{}</option>', pk, name) for pk, name, _n in names)),
        strip=mark_safe("".join(_html(_TEAM_LINK, pk, name, held, n) for pk, name, n in names)),
    )
