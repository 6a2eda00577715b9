"""Charts drawn by the server as SVG: the template loops over ready-made shapes, no JavaScript, no CDN.

Geometry only; labels arrive translated from the caller.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

WIDTH = 640
HEIGHT = 180
PAD_LEFT = 36
PAD_BOTTOM = 22
PAD_TOP = 8


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    label: str
    value: float
    text: str
    series: int = 0


@dataclass(frozen=True)
class Tick:
    y: float
    text: str


@dataclass
class BarChart:
    """Vertical bars (one or two series side by side) over labelled slots, with a y axis."""

    title: str
    bars: list[Bar] = field(default_factory=list)
    ticks: list[Tick] = field(default_factory=list)
    labels: list[tuple[float, str]] = field(default_factory=list)
    legend: list[str] = field(default_factory=list)
    width: int = WIDTH
    height: int = HEIGHT
    empty: bool = True

    @property
    def base(self) -> float:
        return self.height - PAD_BOTTOM

    @property
    def left(self) -> int:
        return PAD_LEFT

    @property
    def bars_svg(self) -> SafeString:
        """The bars as SVG, built in one pass: a year is 730 bars, too many for a template loop to draw fast."""
        return mark_safe(  # numbers, and the texts escaped
            "".join(
                f'<rect class="chart__bar chart__bar--{bar.series}" x="{bar.x}" y="{bar.y}" width="{bar.width}" '
                f'height="{bar.height}" data-value="{_plain(bar.value)}"><title>{escape(bar.text)}</title></rect>'
                for bar in self.bars
            )
        )


def _plain(value: float) -> str:
    """A number as the template's ``floatformat:"-2u"`` writes it: up to two decimals, none for a whole number."""
    text = f"{value:.2f}"
    return text[:-3] if text.endswith(".00") else text


def _nice_max(value: float) -> float:
    if value <= 0:
        return 1
    for step in (1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 5000, 10_000, 20_000, 50_000, 100_000):
        if value <= step * 4:
            return step * 4 if step * 4 >= value else value
    return value


def bar_chart(
    title: str, slots: list[str], series: list[list[float]], *, legend: list[str] | None = None, unit: str = ""
) -> BarChart:
    """Lay out one or more series of values over ``slots`` (every series as long as ``slots``)."""
    chart = BarChart(title=title, legend=legend or [])
    top = _nice_max(max((v for s in series for v in s), default=0))
    inner_w = chart.width - PAD_LEFT - 4
    inner_h = chart.base - PAD_TOP
    n = max(len(slots), 1)
    slot_w = inner_w / n
    gap = min(2.0, slot_w * 0.2)
    bar_w = max((slot_w - gap) / max(len(series), 1), 0.5)
    for i, slot in enumerate(slots):
        for k, values in enumerate(series):
            value = values[i]
            h = inner_h * value / top if top else 0
            x = PAD_LEFT + i * slot_w + k * bar_w
            chart.bars.append(
                Bar(x=round(x, 2), y=round(chart.base - h, 2), width=round(bar_w, 2), height=round(h, 2),
                    label=slot, value=value, text=f"{slot}: {value:g}{unit}", series=k)
            )  # fmt: skip
    for j in range(5):
        value = top * j / 4
        chart.ticks.append(Tick(y=round(chart.base - inner_h * j / 4, 2), text=f"{value:g}"))
    every = max(1, n // 8)
    chart.labels = [(round(PAD_LEFT + i * slot_w + slot_w / 2, 2), s) for i, s in enumerate(slots) if i % every == 0]
    chart.empty = not any(v for s in series for v in s)
    return chart


@dataclass(frozen=True)
class Row:
    label: str
    value: float
    text: str
    share: float  # 0..100, the bar's length


def ranked(rows: list[tuple[str, float, str]]) -> list[Row]:
    """Horizontal bars: each row's share of the largest value (for "top sellers", "refunds by payer")."""
    top = max((v for _l, v, _t in rows), default=0) or 1
    return [Row(label, value, text, round(100 * value / top, 1)) for label, value, text in rows]
