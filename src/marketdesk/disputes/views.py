"""What the list pages of cases and returns share: the status a party narrows to, and the page shown."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.paginator import Page, Paginator
from django.db import models
from django.db.models import QuerySet
from django.http import HttpRequest

from marketdesk.core.actors import Actor

#: Rows a list page of disputes shows at once.
PAGE_SIZE = 25


def party_list_page(
    request: HttpRequest,
    actor: Actor,
    *,
    statuses: type[models.TextChoices],
    rows: Callable[..., QuerySet[Any]],
) -> tuple[Page[Any], str]:
    """Return the page of the party's rows asked for, narrowed to the ``?status=`` given when it is one of ``statuses``."""
    status = request.GET.get("status", "")
    if status not in statuses.values:
        status = ""
    page = Paginator(rows(actor, status=status), PAGE_SIZE).get_page(request.GET.get("page"))
    return page, status
