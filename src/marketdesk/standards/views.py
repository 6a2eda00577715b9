"""Standards pages: the seller's own standing, and the operator's overview and per-seller page with enforcement.

Thin: each page reads through the selectors; each action parses one form,
calls one service and maps a ``DomainError`` to the page at its 4xx status.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_POST

from marketdesk.core.actors import Actor, Role
from marketdesk.core.errors import DomainError, NotFound
from marketdesk.orders.models import Shop
from marketdesk.standards import selectors, services
from marketdesk.standards.charts import metric_chart
from marketdesk.standards.forms import AppealDecisionForm, AppealForm, EnforcementForm
from marketdesk.standards.models import Level
from marketdesk.standards.states import EnforcementStatus
from marketdesk.web.permissions import actor_of, role_required

STAFF = (Role.OPERATOR, Role.ADMIN)
PAGE_SIZE = 50


def _or_404[T](read: Callable[[], T]) -> T:
    try:
        return read()
    except NotFound as exc:
        raise Http404 from exc


def _metric_rows(actor: Actor, standing: selectors.Standing) -> list[dict[str, Any]]:
    """Each metric with its result, trend chart and the orders behind it (those counted against it)."""
    rows = []
    for result in standing.results:
        against = result.numerator if result.metric.at_most else result.denominator - result.numerator
        behind = []
        if standing.snapshot is not None and against > 0:
            behind = selectors.behind_metric(standing.shop, result.metric.code, standing.snapshot, standing.policy)
        chart = metric_chart(result.metric, standing.trend, result.threshold_bp)
        rows.append({"result": result, "chart": chart, "behind": behind, "against": against})
    return rows


def _standing_context(actor: Actor, shop: Shop) -> dict[str, Any]:
    standing = selectors.standing_for(actor, shop)
    return {
        "shop": shop,
        "standing": standing,
        "rows": _metric_rows(actor, standing),
        "enforcements": list(selectors.enforcements_for(actor, shop)),
        "levels": Level,
        "statuses": EnforcementStatus,
    }


# Seller


@require_GET
@role_required(Role.SELLER)
def seller_standing(request: HttpRequest) -> HttpResponse:
    """The seller's own standing: metrics against the standards, trends, the orders behind them, measures."""
    actor = actor_of(request)
    shops = list(selectors.shops_for_actor(actor).order_by("name", "pk"))
    if not shops:
        return render(request, "standards/seller_standing.html", {"shops": [], "shop": None})
    wanted = request.GET.get("shop", "")
    shop = next((s for s in shops if str(s.pk) == wanted), shops[0])
    context = {"shops": shops, "blank_appeal_form": AppealForm(), **_standing_context(actor, shop)}
    return render(request, "standards/seller_standing.html", context)


@require_POST
@role_required(Role.SELLER, object_page=True)
def seller_appeal(request: HttpRequest, pk: int) -> HttpResponse:
    """File the seller's appeal against a measure in force."""
    actor = actor_of(request)
    enforcement = _or_404(lambda: selectors.enforcement_get_for_actor(actor, pk=pk))
    form = AppealForm(request.POST)
    error = ""
    if form.is_valid():
        try:
            services.enforcement_appeal(actor=actor, enforcement=enforcement, text=form.cleaned_data["text"])
        except DomainError as exc:
            error, status = str(exc.message), exc.status
        else:
            messages.success(request, str(_("Your appeal was filed. An operator answers it here and by email.")))
            return redirect(f"{reverse('standards:seller')}?shop={enforcement.shop_id}")
    else:
        status = 422
    context = {
        "shops": list(selectors.shops_for_actor(actor).order_by("name", "pk")),
        "appeal_form": form,
        "blank_appeal_form": AppealForm(),
        "appeal_for": enforcement.pk,
        "error": error,
        **_standing_context(actor, enforcement.shop),
    }
    return render(request, "standards/seller_standing.html", context, status=status)


# Operator


@require_GET
@role_required(*STAFF)
def overview(request: HttpRequest) -> HttpResponse:
    """Every seller's level (below standard first), the proposals waiting and the latest runs with progress."""
    actor = actor_of(request)
    level = request.GET.get("level", "")
    if level not in Level.values:
        level = ""
    page = Paginator(selectors.shops_with_standing(actor, level=level), PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "shops": page.object_list,
        "level": level,
        "levels": Level.choices,
        "proposals": list(selectors.proposals_for_actor(actor)[:50]),
        "jobs": list(selectors.jobs_for_actor(actor)[:5]),
    }
    return render(request, "standards/overview.html", context)


@require_POST
@role_required(*STAFF)
def recompute_all(request: HttpRequest) -> HttpResponse:
    """Queue a computation of every seller's standards now (the nightly run, on demand)."""
    job = services.standards_job_start(actor=actor_of(request))
    messages.success(request, str(_("The standards of every seller are being computed.")))
    return redirect("standards:job", pk=job.pk)


@require_GET
@role_required(*STAFF, object_page=True)
def job_page(request: HttpRequest, pk: int) -> HttpResponse:
    """A standards run with its progress (the partial refreshes itself while it runs)."""
    job = _or_404(lambda: selectors.job_get_for_actor(actor_of(request), pk=pk))
    template = "standards/_job_progress.html" if request.headers.get("HX-Request") else "standards/job.html"
    return render(request, template, {"job": job})


def _shop_page(
    request: HttpRequest, shop: Shop, *, bound: dict[str, forms.Form] | None = None, error: str = "", status: int = 200
) -> HttpResponse:
    actor = actor_of(request)
    user = request.user
    context = {
        **_standing_context(actor, shop),
        "apply_form": EnforcementForm(),
        "decide_form": AppealDecisionForm(),
        "can_enforce": user.has_perm(services.ENFORCE_PERMISSION),
        "error": error,
        "jobs": list(selectors.jobs_for_actor(actor).filter(shop=shop)[:3]),
        **(bound or {}),
    }
    return render(request, "standards/shop_standing.html", context, status=status)


def _shop_for(request: HttpRequest, pk: int) -> Shop:
    return _or_404(lambda: selectors.shop_get_for_actor(actor_of(request), pk=pk))


@require_GET
@role_required(*STAFF, object_page=True)
def shop_standing(request: HttpRequest, pk: int) -> HttpResponse:
    """One seller's standing for operators, with its measures and the enforcement actions."""
    return _shop_page(request, _shop_for(request, pk))


@require_POST
@role_required(*STAFF, object_page=True)
def shop_recompute(request: HttpRequest, pk: int) -> HttpResponse:
    """Queue a computation of this seller's standards now."""
    shop = _shop_for(request, pk)
    job = services.standards_job_start(actor=actor_of(request), shop=shop)
    messages.success(request, str(_("This seller's standards are being computed.")))
    return redirect("standards:job", pk=job.pk)


def _run(
    request: HttpRequest,
    shop: Shop,
    *,
    form_key: str,
    form: forms.Form,
    call: Callable[[dict[str, Any]], object],
    done: Any,
) -> HttpResponse:
    if not form.is_valid():
        return _shop_page(request, shop, bound={form_key: form}, status=422)
    try:
        call(form.cleaned_data)
    except DomainError as exc:
        # Said once: beside the field it names, or above the forms when it names none.
        if exc.field and exc.field in form.fields:
            form.add_error(exc.field, str(exc.message))
            return _shop_page(request, shop, bound={form_key: form}, status=exc.status)
        return _shop_page(request, shop, bound={form_key: form}, error=str(exc.message), status=exc.status)
    messages.success(request, str(done))
    return redirect("standards:shop", pk=shop.pk)


def _effective(day: dt.date | None) -> dt.datetime | None:
    return dt.datetime.combine(day, dt.time(0, 0), tzinfo=dt.UTC) if day else None


@require_POST
@role_required(*STAFF, object_page=True)
def shop_enforce(request: HttpRequest, pk: int) -> HttpResponse:
    """Apply a warning, restriction or suspension to this seller (operators with the permission)."""
    shop = _shop_for(request, pk)
    actor = actor_of(request)
    return _run(
        request,
        shop,
        form_key="apply_form",
        form=EnforcementForm(request.POST),
        call=lambda d: services.enforcement_apply(
            actor=actor, shop=shop, kind=d["kind"], reason=d["reason"], effective_at=_effective(d["effective_on"])
        ),
        done=_("The measure was applied and the seller was told."),
    )


@require_POST
@role_required(*STAFF, object_page=True)
def enforcement_act(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """Dismiss a proposal, lift a measure, or decide an appeal."""
    actor = actor_of(request)
    enforcement = _or_404(lambda: selectors.enforcement_get_for_actor(actor, pk=pk))
    shop = enforcement.shop
    if action == "decide":
        return _run(
            request,
            shop,
            form_key="decide_form",
            form=AppealDecisionForm(request.POST),
            call=lambda d: services.enforcement_appeal_decide(
                actor=actor, enforcement=enforcement, accept=d["accept"], answer=d["answer"]
            ),
            done=_("The appeal was decided and the seller was told."),
        )
    simple = {"dismiss": services.enforcement_dismiss, "lift": services.enforcement_lift}
    service = simple.get(action)
    if service is None:
        raise Http404
    try:
        service(actor=actor, enforcement=enforcement)
    except DomainError as exc:
        return _shop_page(request, shop, error=str(exc.message), status=exc.status)
    messages.success(request, str(_("Done.")))
    return redirect("standards:shop", pk=shop.pk)
