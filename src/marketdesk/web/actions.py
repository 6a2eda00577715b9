"""One way to run an action from an object's page: bind its form, call its service, re-render or redirect.

A refusal re-renders the page with the reason (next to the field it names) at the
service's 4xx status and changes nothing; success redirects back
(post/redirect/get), so a reload never submits twice. Cases and returns use it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from django import forms
from django.contrib import messages
from django.db import models
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect

from marketdesk.core.actors import Actor
from marketdesk.core.errors import DomainError
from marketdesk.web.permissions import actor_of


@dataclass(frozen=True)
class Action[T: models.Model]:
    """One thing someone can do on an object: who, with which form, through which service, and what to say."""

    roles: tuple[str, ...]
    form: type[forms.Form] | None
    run: Callable[[Actor, T, dict[str, Any]], object]
    done: Any


class Page[T: models.Model](Protocol):
    def __call__(
        self,
        request: HttpRequest,
        obj: T,
        /,
        *,
        bound: dict[str, forms.Form] | None = ...,
        error: str = ...,
        status: int = ...,
    ) -> HttpResponse: ...


def run_action[T: models.Model](
    request: HttpRequest,
    pk: int,
    *,
    name: str,
    actions: Mapping[str, Action[T]],
    load: Callable[[HttpRequest, int], T],
    bind: Callable[[str, T, Any], forms.Form],
    page: Page[T],
    done_url: str,
) -> HttpResponse:
    """Run ``actions[name]`` on object ``pk`` (read by ``load``, 404 if not the user's) for the signed-in user.

    An unknown action, or one the user's role may not run, is a 404.
    """
    obj = load(request, pk)
    actor = actor_of(request)
    spec = actions.get(name)
    if spec is None or actor.role not in spec.roles:
        raise Http404
    data: dict[str, Any] = {}
    if spec.form is not None:
        form = bind(name, obj, request.POST)
        if not form.is_valid():
            return page(request, obj, bound={name: form}, status=422)
        data = form.cleaned_data
    try:
        spec.run(actor, obj, data)
    except DomainError as exc:
        bound = {}
        error = str(exc.message)
        if spec.form is not None:
            form = bind(name, obj, request.POST)
            form.is_valid()
            if exc.field and exc.field in form.fields:
                form.add_error(exc.field, error)
                error = ""  # said beside its field; the alert above the page would say it a second time
            bound[name] = form
        return page(request, load(request, pk), bound=bound, error=error, status=exc.status)
    messages.success(request, str(spec.done))
    return redirect(done_url, pk=obj.pk)
