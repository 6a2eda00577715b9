"""Order lists and order pages for buyers, sellers and operators."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET
from django_htmx.middleware import HtmxDetails

from marketdesk.accounts.models import UserRole
from marketdesk.api.pagination import InvalidCursorError, KeysetPaginator
from marketdesk.core.actors import Role
from marketdesk.core.errors import NotFound
from marketdesk.orders.selectors import order_count_for_actor, order_get_for_actor, order_list_for_actor
from marketdesk.orders.situation import order_situation
from marketdesk.web.permissions import actor_of, role_required
from marketdesk.web.presenters import order_totals, timeline_entries
from marketdesk.web.selectors import order_page_for_actor
from marketdesk.web.views.handoff import ORDER_PAGES

PAGE_SIZE = 25
# Pages by the order's key, never by offset: the last of 20,000 orders is read as fast as the first.
ORDER_KEYS = KeysetPaginator(fields=("placed_at", "id"))


class HtmxHttpRequest(HttpRequest):
    htmx: HtmxDetails


def _order_list(request: HtmxHttpRequest, *, title: str, detail_url: str, show_buyer: bool) -> HttpResponse:
    actor = actor_of(request)
    orders = order_list_for_actor(actor)
    after, before, last = request.GET.get("after"), request.GET.get("before"), "last" in request.GET
    try:
        page = ORDER_KEYS.page_at(orders, after=after, before=before, last=last, limit=PAGE_SIZE)
    except InvalidCursorError:  # an edited or stale link: the newest orders, rather than an error page
        page = ORDER_KEYS.page_at(orders, limit=PAGE_SIZE)
    context = {
        "title": title,
        "page": page,
        "order_count": order_count_for_actor(actor),  # kept by triggers, never a count of the list
        "detail_url": detail_url,
        "show_buyer": show_buyer,
    }
    # Paging with htmx swaps only the list, so the page keeps its place and focus.
    template = "web/_order_table.html" if request.htmx else "web/order_list.html"
    return render(request, template, context)


@require_GET
@role_required(Role.BUYER)
def buyer_orders(request: HtmxHttpRequest) -> HttpResponse:
    return _order_list(request, title=_("My orders"), detail_url="web:order_detail", show_buyer=False)


@require_GET
@role_required(Role.SELLER)
def seller_orders(request: HtmxHttpRequest) -> HttpResponse:
    return _order_list(request, title=_("Shop orders"), detail_url="web:seller_order_detail", show_buyer=True)


def _order_detail(request: HttpRequest, pk: int, *, back_url: str, back_label: str) -> HttpResponse:
    try:
        order_page = order_page_for_actor(actor_of(request), pk=pk)
    except NotFound as exc:
        raise Http404 from exc
    order = order_page.order
    context = {
        "order": order,
        # Read once: the situation card, the hints and the returns card all show it.
        "situation": order_situation(order),
        "totals": order_totals(order),
        "timeline": timeline_entries(order_page.timeline),
        "back_url": reverse(back_url),
        "back_label": back_label,
        "show_buyer": request.user.role != Role.BUYER,  # type: ignore[union-attr]
    }
    return render(request, "web/order_detail.html", context)


@require_GET
@role_required(Role.BUYER, object_page=True)
def order_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _order_detail(request, pk, back_url="web:buyer_orders", back_label=_("My orders"))


@require_GET
@role_required(Role.SELLER, object_page=True)
def seller_order_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _order_detail(request, pk, back_url="web:seller_orders", back_label=_("Shop orders"))


@require_GET
@role_required(Role.OPERATOR, Role.ADMIN, object_page=True)
def console_order_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _order_detail(request, pk, back_url="web:operator_home", back_label=_("Console"))


@require_GET
@role_required(Role.BUYER, Role.SELLER, object_page=True)
def order_by_reference(request: HttpRequest, external_id: str, page: str = "order") -> HttpResponse:
    """Open one of the person's orders by the marketplace's order number: links from the marketplace use it."""
    actor = actor_of(request)
    try:
        order = order_get_for_actor(actor, external_id=external_id)
    except NotFound as exc:
        raise Http404 from exc
    name = ORDER_PAGES.get((UserRole(actor.role), page))
    if name is None:
        raise Http404  # the Get help page is the buyer's
    return redirect(name, pk=order.pk)
