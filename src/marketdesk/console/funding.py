"""The monthly funding report: who funds the refunds, as the dashboard's chart and the CSV's rows."""

from __future__ import annotations

from collections.abc import Iterator

from django.utils.translation import gettext as _

from marketdesk.console.charts import BarChart, bar_chart
from marketdesk.ledger.models import FundingSource
from marketdesk.ledger.selectors import FundingRow, report_months

#: The report's span: a year of months, the current one last.
REPORT_MONTHS = 12


def funding_chart(rows: list[FundingRow]) -> BarChart:
    """Refunds per month, one series per funding source (counts: amounts in several currencies do not add up)."""
    months = report_months(REPORT_MONTHS)
    counts = {(r.month, r.source): 0 for r in rows}
    for r in rows:
        counts[(r.month, r.source)] += r.refunds
    sources = list(FundingSource)
    return bar_chart(
        _("Refunds per month by who funds them"),
        [m.strftime("%m.%y") for m in months],
        [[float(counts.get((m, source.value), 0)) for m in months] for source in sources],
        legend=[str(source.label) for source in sources],
    )


def funding_csv_header() -> list[str]:
    """The CSV's column names in the reader's language (amounts in minor units, beside their currency)."""
    return [
        _("Month"),
        _("Funded by"),
        _("Currency"),
        _("Refunds"),
        _("Refunded, minor units"),
        _("Recovered from the seller, minor units"),
        _("Recovered from the carrier, minor units"),
        _("Borne by the platform, minor units"),
    ]


def funding_csv_rows(rows: list[FundingRow]) -> Iterator[list[object]]:
    """One CSV row per month, source and currency: month as YYYY-MM, the source by its translated name."""
    for r in rows:
        yield [
            r.month.strftime("%Y-%m"),
            r.source_label,
            r.currency,
            r.refunds,
            r.amount_minor,
            r.seller_recovered_minor,
            r.carrier_recovered_minor,
            r.platform_borne_minor,
        ]
