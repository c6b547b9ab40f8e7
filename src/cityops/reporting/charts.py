"""Static charts as inline SVG text: numbers in, markup out.

Reports are archived and printed, so a chart cannot depend on scripts or on
a plotting library at view time; the same SVG serves the HTML report, the
PDF (WeasyPrint draws SVG itself) and, later, the console.  A chart is a
horizontal bar per label (long Chinese region names read well on the left)
with optional vertical reference lines, e.g. an indicator's goalposts or the
stage thresholds.

Geometry, in SVG user units (px)::

    lo, hi = min(0, values, lines), max(0, values, lines)    (hi = lo + 1 if equal)
    x(v)   = plot_left + plot_width · (v − lo) ÷ (hi − lo)
    bar    = from x(0) to x(v)                               (leftwards when v < 0)

so a bar's length is proportional to its value whenever all values are ≥ 0.
Every text is escaped and stripped of characters XML cannot hold, because
labels come from data files.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from xml.sax.saxutils import escape, quoteattr

__all__ = ["BAR_COLOUR", "LINE_COLOUR", "Bar", "ChartScale", "ReferenceLine", "bar_chart_svg"]

BAR_COLOUR = "#1f6feb"
LINE_COLOUR = "#c2410c"
MISSING_COLOUR = "#9aa5b1"

FONT_SIZE = 11.0
ROW_HEIGHT = 18.0
BAR_HEIGHT = 12.0
PADDING = 6.0
LINE_LABEL_HEIGHT = 14.0
MAX_LABEL_SHARE = 0.35
"""The label column takes at most this share of the width; longer labels are cut."""

_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


@dataclass(frozen=True, slots=True)
class Bar:
    label: str
    value: float | None
    """None (or a non-finite number) draws no bar: the value is missing."""
    text: str
    """Written after the bar: the value as a reader should see it (unit included)."""


@dataclass(frozen=True, slots=True)
class ReferenceLine:
    value: float
    label: str
    colour: str = LINE_COLOUR


@dataclass(frozen=True, slots=True)
class ChartScale:
    """Where values land on the x axis (see the module docstring)."""

    lo: float
    hi: float
    left: float
    width: float

    def x(self, value: float) -> float:
        return self.left + self.width * (value - self.lo) / (self.hi - self.lo)


def bar_chart_svg(
    bars: Sequence[Bar],
    *,
    lines: Sequence[ReferenceLine] = (),
    extent: Sequence[float] = (),
    title: str = "",
    width: float = 560.0,
) -> str:
    """A horizontal bar chart of ``bars`` (top to bottom in the given order) with
    dashed vertical ``lines``, as one ``<svg>`` element sized ``width`` wide.  The axis
    reaches every value, every line and each number in ``extent`` (``(0, 100)`` keeps
    scores on one scale across charts)."""
    present = [bar.value for bar in bars if _finite(bar.value)]
    scale = _scale(bars, [*present, *extent], lines, width)
    top = PADDING + (LINE_LABEL_HEIGHT if lines else 0.0)
    height = top + ROW_HEIGHT * len(bars) + PADDING
    label_room = scale.left - 2 * PADDING
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" '
        f'width="{_n(width)}" height="{_n(height)}" viewBox="0 0 {_n(width)} {_n(height)}" '
        f'font-family="Noto Sans CJK SC, Noto Sans CJK, sans-serif" font-size="{_n(FONT_SIZE)}"'
        f" aria-label={quoteattr(_clean(title))}>",
        f"<title>{_text(title)}</title>",
    ]
    zero = scale.x(min(max(0.0, scale.lo), scale.hi))
    for row, bar in enumerate(bars):
        y = top + ROW_HEIGHT * row
        baseline = _n(y + ROW_HEIGHT / 2 + FONT_SIZE * 0.35)
        label = _fit(bar.label, label_room)
        parts.append(f'<text x="{_n(PADDING)}" y="{baseline}">{_text(label)}</text>')
        if not _finite(bar.value):
            parts.append(
                f'<text x="{_n(zero + 4)}" y="{baseline}" fill="{MISSING_COLOUR}">'
                f"{_text(bar.text)}</text>"
            )
            continue
        end = scale.x(float(bar.value or 0.0))
        left, right = min(zero, end), max(zero, end)
        parts.append(
            f'<rect x="{_n(left)}" y="{_n(y + (ROW_HEIGHT - BAR_HEIGHT) / 2)}" '
            f'width="{_n(right - left)}" height="{_n(BAR_HEIGHT)}" fill="{BAR_COLOUR}"/>'
        )
        parts.append(f'<text x="{_n(right + 4)}" y="{baseline}">{_text(bar.text)}</text>')
    for line in lines:
        x = scale.x(line.value)
        anchor = "start" if x < width * 0.15 else "end" if x > width * 0.85 else "middle"
        parts.append(
            f'<line x1="{_n(x)}" y1="{_n(top - 2)}" x2="{_n(x)}" y2="{_n(height - PADDING)}" '
            f'stroke={quoteattr(line.colour)} stroke-width="1.2" stroke-dasharray="4 3"/>'
        )
        parts.append(
            f'<text x="{_n(x)}" y="{_n(PADDING + FONT_SIZE * 0.8)}" text-anchor="{anchor}" '
            f'font-size="{_n(FONT_SIZE * 0.85)}" fill={quoteattr(line.colour)}>'
            f"{_text(line.label)}</text>"
        )
    parts.append("</svg>")
    return "".join(parts)


def _scale(
    bars: Sequence[Bar], reach: Sequence[float | None], lines: Sequence[ReferenceLine], width: float
) -> ChartScale:
    """The x scale: the label column on the left, room for the value text on the right."""
    points = [0.0, *(v for v in reach if v is not None and math.isfinite(v))]
    points += [line.value for line in lines if math.isfinite(line.value)]
    lo, hi = min(points), max(points)
    if hi == lo:
        hi = lo + 1.0
    label_width = min(max((_width(b.label) for b in bars), default=0.0), width * MAX_LABEL_SHARE)
    text_width = max((_width(b.text) for b in bars), default=0.0)
    left = label_width + 2 * PADDING
    plot = max(width - left - text_width - 2 * PADDING, width * 0.2)
    return ChartScale(lo, hi, left, plot)


def _width(text: str) -> float:
    """Estimated drawn width: a wide (CJK) character is 1 em, anything else 0.6 em."""
    return sum(
        FONT_SIZE if unicodedata.east_asian_width(c) in "WF" else FONT_SIZE * 0.6 for c in text
    )


def _fit(label: str, room: float) -> str:
    """``label`` cut with an ellipsis to fit ``room``."""
    if _width(label) <= room:
        return label
    while label and _width(label + "…") > room:
        label = label[:-1]
    return label + "…"


def _finite(value: float | None) -> bool:
    return value is not None and math.isfinite(value)


def _clean(text: str) -> str:
    return _NOT_XML.sub("", text)


def _text(text: str) -> str:
    return escape(_clean(text))


def _n(number: float) -> str:
    """A coordinate with two decimals, without trailing zeros."""
    return f"{round(number, 2) + 0.0:.2f}".rstrip("0").rstrip(".")  # + 0.0: no "-0"
