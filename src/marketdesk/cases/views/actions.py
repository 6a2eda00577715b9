"""One way to run a case action from a page: bind its form, call its service, re-render or redirect.

A refusal re-renders the page with the reason (next to the field it names) at the
service's 4xx status and changes nothing; success redirects back
(post/redirect/get), so a reload never submits twice.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect

from marketdesk.cases.models import Case
from marketdesk.cases.selectors import case_get_for_actor
from marketdesk.core.actors import Actor
from marketdesk.core.errors import DomainError, NotFound
from marketdesk.web.permissions import actor_of


@dataclass(frozen=True)
class Action:
    """One thing someone can do on a case: who, with which form, through which service, and what to say."""

    roles: tuple[str, ...]
    form: type[forms.Form] | None
    run: Callable[[Actor, Case, dict[str, Any]], object]
    done: Any


class Page(Protocol):
    def __call__(
        self,
        request: HttpRequest,
        case: Case,
        *,
        bound: dict[str, forms.Form] | None = ...,
        error: str = ...,
        status: int = ...,
    ) -> HttpResponse: ...


def case_for(request: HttpRequest, pk: int) -> Case:
    """Return the case the signed-in user may see, or 404."""
    try:
        return case_get_for_actor(actor_of(request), pk=pk)
    except NotFound as exc:
        raise Http404 from exc


def run_action(
    request: HttpRequest,
    pk: int,
    *,
    name: str,
    actions: dict[str, Action],
    bind: Callable[[str, Case, Any], forms.Form],
    page: Page,
    done_url: str,
) -> HttpResponse:
    """Run ``actions[name]`` on case ``pk`` for the signed-in user (404 for an unknown or foreign action)."""
    case = case_for(request, pk)
    actor = actor_of(request)
    spec = actions.get(name)
    if spec is None or actor.role not in spec.roles:
        raise Http404
    data: dict[str, Any] = {}
    if spec.form is not None:
        form = bind(name, case, request.POST)
        if not form.is_valid():
            return page(request, case, bound={name: form}, status=422)
        data = form.cleaned_data
    try:
        spec.run(actor, case, data)
    except DomainError as exc:
        bound = {}
        if spec.form is not None:
            form = bind(name, case, request.POST)
            form.is_valid()
            if exc.field and exc.field in form.fields:
                form.add_error(exc.field, str(exc.message))
            bound[name] = form
        return page(request, case_for(request, pk), bound=bound, error=str(exc.message), status=exc.status)
    messages.success(request, str(spec.done))
    return redirect(done_url, pk=case.pk)
