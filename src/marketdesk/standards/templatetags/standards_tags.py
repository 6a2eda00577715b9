"""Template helpers of the standards pages: rates in percent, level and measure badges."""

from __future__ import annotations

from django import template
from django.utils.formats import number_format
from django.utils.safestring import SafeString
from django.utils.translation import gettext

from marketdesk.standards.models import Level
from marketdesk.standards.states import BINDING_STATUSES, CONSEQUENCES, EnforcementKind, EnforcementStatus

register = template.Library()

LEVEL_TONES: dict[str, str] = {Level.TOP_RATED: "success", Level.STANDARD: "info", Level.BELOW_STANDARD: "warning"}
STATUS_TONES: dict[str, str] = {
    EnforcementStatus.PROPOSED: "accent",
    EnforcementStatus.ACTIVE: "warning",
    EnforcementStatus.APPEALED: "info",
    EnforcementStatus.DISMISSED: "muted",
    EnforcementStatus.REVOKED: "muted",
    EnforcementStatus.LIFTED: "muted",
}


@register.filter
def percent_bp(value: int | None) -> str:
    """Write basis points as a percentage in the active language (None: a dash)."""
    if value is None:
        return "—"
    return f"{number_format(value / 100, decimal_pos=2 if value % 100 else 0)} %"


@register.inclusion_tag("web/_status_badge.html")
def level_badge(level: str | None) -> dict[str, str]:
    from django.utils.translation import gettext as _

    if not level:
        return {"tone": "muted", "label": _("Not computed yet")}
    return {"tone": LEVEL_TONES.get(level, "neutral"), "label": str(Level(level).label)}


@register.inclusion_tag("web/_status_badge.html")
def measure_badge(enforcement: object) -> dict[str, str]:
    status = str(getattr(enforcement, "status", ""))
    kind = str(getattr(enforcement, "kind", ""))
    label = f"{EnforcementKind(kind).label} · {EnforcementStatus(status).label}"
    return {"tone": STATUS_TONES.get(status, "neutral"), "label": label}


@register.filter
def measure_consequence(enforcement: object) -> str:
    """What the measure changes while it is in force (empty for one that is not binding)."""
    if getattr(enforcement, "status", "") not in BINDING_STATUSES:
        return ""
    kind: str = getattr(enforcement, "kind", "")
    return str(CONSEQUENCES.get(EnforcementKind(kind), "")) if kind in EnforcementKind.values else ""


@register.simple_tag
def chart_svg(chart: object, label: str) -> SafeString:
    """Render a trend chart (charts.Chart) as inline SVG with the threshold as a dashed line."""
    from django.utils.html import format_html

    if not getattr(chart, "count", 0):
        return SafeString("")
    c = chart
    return format_html(
        '<svg class="trend" viewBox="0 0 {w} {h}" width="{w}" height="{h}" role="img" aria-label="{label}">'
        '<line class="trend__threshold" x1="0" x2="{w}" y1="{ty}" y2="{ty}"/>'
        '<polyline class="trend__line" points="{points}"/>'
        '<circle class="trend__dot" cx="{cx}" cy="{cy}" r="3"/></svg>',
        w=c.width,  # type: ignore[attr-defined]
        h=c.height,  # type: ignore[attr-defined]
        ty=c.threshold_y,  # type: ignore[attr-defined]
        points=c.points,  # type: ignore[attr-defined]
        cx=c.last_x,  # type: ignore[attr-defined]
        cy=c.last_y,  # type: ignore[attr-defined]
        label=label,
    )


@register.filter
def catalogue_words(text: str) -> str:
    """Return a stored sentence that came from the catalogue in the reader's language.

    A measure's reason is saved as words, in the language of whoever (or whatever job) applied it;
    the catalogue's own sentences are looked up again so a Russian reader does not get the English.
    """
    return gettext(text) if text else text
