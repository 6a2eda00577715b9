"""Trend charts as server-rendered SVG: one small line chart per metric, with its threshold drawn in."""

from __future__ import annotations

from dataclasses import dataclass

from marketdesk.standards.metrics import BP, Metric
from marketdesk.standards.models import StandardsSnapshot

WIDTH, HEIGHT, PAD = 320, 96, 6


@dataclass(frozen=True)
class Chart:
    points: str  # the polyline's "x,y x,y …"
    threshold_y: float
    width: int
    height: int
    first_day: str
    last_day: str
    top_label: str
    count: int
    # The latest day's point, drawn as a dot: with one snapshot a line has nothing to join.
    last_x: float = 0.0
    last_y: float = 0.0


def _percent(bp: int) -> str:
    return f"{bp / 100:g} %"


def metric_chart(metric: Metric, trend: list[StandardsSnapshot], threshold_bp: int) -> Chart:
    """Plot the metric's daily rate (basis points) from the snapshots, scaled to include the threshold."""
    rates = []
    for snap in trend:
        num, den = getattr(snap, metric.numerator), getattr(snap, metric.denominator)
        rates.append(num * BP // den if den else (0 if metric.at_most else BP))
    if metric.at_most:
        top = max([threshold_bp * 2, *rates, 1])
        bottom = 0
    else:
        bottom = max(0, min([threshold_bp - (BP - threshold_bp), *rates]))
        top = BP
    span = max(top - bottom, 1)

    def y(rate: int) -> float:
        return round(PAD + (HEIGHT - 2 * PAD) * (1 - (rate - bottom) / span), 1)

    step = (WIDTH - 2 * PAD) / max(len(rates) - 1, 1)
    xs = [round(PAD + i * step, 1) for i in range(len(rates))]
    points = " ".join(f"{x},{y(rate)}" for x, rate in zip(xs, rates, strict=True))
    return Chart(
        points=points,
        threshold_y=y(threshold_bp),
        width=WIDTH,
        height=HEIGHT,
        first_day=trend[0].day.isoformat() if trend else "",
        last_day=trend[-1].day.isoformat() if trend else "",
        top_label=_percent(top),
        count=len(rates),
        last_x=xs[-1] if xs else 0.0,
        last_y=y(rates[-1]) if rates else 0.0,
    )
