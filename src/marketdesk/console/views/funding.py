"""The monthly funding report as a CSV download (its chart is on the dashboard)."""

from __future__ import annotations

from collections.abc import Iterator

from django.http import HttpRequest, StreamingHttpResponse
from django.views.decorators.http import require_GET

from marketdesk.console.funding import REPORT_MONTHS, funding_csv_header, funding_csv_rows
from marketdesk.core.actors import Role
from marketdesk.core.spreadsheet import SafeCsvWriter
from marketdesk.core.streaming import stream_for
from marketdesk.ledger.selectors import funding_report_for_actor
from marketdesk.web.permissions import actor_of, role_required


class _Echo:
    def write(self, value: str) -> str:
        return value


@require_GET
@role_required(Role.OPERATOR, Role.ADMIN)
def funding_csv(request: HttpRequest) -> StreamingHttpResponse:
    """Refunds per month, funding source and currency over the last year, as CSV (streamed)."""
    report = funding_report_for_actor(actor_of(request), months=REPORT_MONTHS)
    writer = SafeCsvWriter(_Echo())

    def lines() -> Iterator[str]:
        yield writer.writerow(funding_csv_header())
        for row in funding_csv_rows(report):
            yield writer.writerow(row)

    response = StreamingHttpResponse(stream_for(request, lines()), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="refund-funding.csv"'
    return response
