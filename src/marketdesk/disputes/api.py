"""What the REST endpoints of cases and returns share: error maps, the marketplace's write auth, list filters."""

from __future__ import annotations

from typing import Annotated, Any, Protocol

from django.db.models import Model, QuerySet
from ninja import Path, Query

from marketdesk.api.auth import SessionAuth, api_key_auth
from marketdesk.api.errors import ProblemOut
from marketdesk.api.pagination import DEFAULT_LIMIT, MAX_LIMIT, KeysetPaginator

ExternalIdPath = Annotated[str, Path(min_length=1, max_length=100, description="The marketplace's order number.")]

#: Only the marketplace's key writes here. A signed-in person is known but not allowed (403), rather
#: than told to sign in (401): people use the web pages.
MARKETPLACE_WRITE_AUTH = [api_key_auth, SessionAuth(roles=())]

READ_ERRORS: dict[int, Any] = {400: ProblemOut, 401: ProblemOut, 404: ProblemOut, 422: ProblemOut}
WRITE_ERRORS: dict[int, Any] = {401: ProblemOut, 403: ProblemOut, 404: ProblemOut, 409: ProblemOut, 422: ProblemOut}


class ListFilter(Protocol):
    """The filters every dispute list takes: a status and an order number, each optional."""

    status: Any
    order: str | None


def list_filtered[M: Model](rows: QuerySet[M], filters: ListFilter) -> QuerySet[M]:
    """Narrow a list of disputes to the status and the order number the filters name."""
    if filters.status is not None:
        rows = rows.filter(status=filters.status)
    if filters.order is not None:
        rows = rows.filter(order__external_id=filters.order)
    return rows


def list_page[M: Model](rows: QuerySet[M], *, pages: KeysetPaginator, cursor: str | None, limit: int) -> dict[str, Any]:
    """Answer one page of a list as ``{"items", "next_cursor"}``."""
    page = pages.paginate(rows, cursor=cursor, limit=limit)
    return {"items": page.items, "next_cursor": page.next_cursor}


#: A list's paging parameters (one page after the cursor given, at most ``limit`` rows).
CURSOR: Any = Query(None, description="The next_cursor of the previous page.")
LIMIT: Any = Query(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT)
