"""Bar charts as inline SVG strings, drawn on the server: the same markup goes into the page and the PDF.

No JavaScript library: the page must work under a strict CSP and WeasyPrint renders SVG but runs no
script. Each chart is an accessible image: ``role="img"`` named by its ``<title>`` and described by a
``<desc>`` that states every number, and every bar carries a ``<title>`` (a tooltip in browsers). The
numbers are also in the tables beside the charts, which stay the reference.

Colours are the Okabe–Ito palette, told apart by people with the common colour-vision deficiencies.
Every text is escaped: category and series names may come from the data.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000")

WIDTH = 640
PLOT_HEIGHT = 220
MARGIN_LEFT = 44
MARGIN_RIGHT = 8
MARGIN_TOP = 16
LABEL_LINE = 14  # height of one line of a category label
LEGEND_ROW = 20
FONT = "DejaVu Sans, Noto Sans, Arial, sans-serif"
MAX_BAR = 48
CHAR_WIDTH = 6.6  # rough width of a 12-px character, to lay out labels without measuring text


@dataclass(frozen=True)
class Series:
    """One coloured set of bars: a value per category, in the categories' order."""

    name: str
    values: tuple[int, ...]


def nice_ticks(highest: int, most: int = 5) -> list[int]:
    """Axis ticks from 0 to at least ``highest`` in steps of 1, 2 or 5 × 10ⁿ, at most ``most`` steps."""
    if highest <= 0:
        return [0, 1]
    magnitude = 1
    while True:
        for factor in (1, 2, 5):
            step = factor * magnitude
            if math.ceil(highest / step) <= most:
                return list(range(0, math.ceil(highest / step) * step + 1, step))
        magnitude *= 10


def _text(x: float, y: float, content: str, **attributes: str | float) -> str:
    extra = "".join(f' {name.replace("_", "-")}="{escape(value)}"' for name, value in attributes.items())
    return f'<text x="{x:.1f}" y="{y:.1f}"{extra}>{escape(content)}</text>'


def _label_lines(label: str, width: float) -> list[str]:
    """A category label cut into at most two lines that fit ``width`` (roughly), at spaces."""
    if len(label) * CHAR_WIDTH <= width or " " not in label:
        return [label]
    words = label.split(" ")
    first: list[str] = []
    while words and len(" ".join([*first, words[0]])) * CHAR_WIDTH <= width:
        first.append(words.pop(0))
    if not first:
        first.append(words.pop(0))
    return [" ".join(first), " ".join(words)] if words else [" ".join(first)]


def _legend(series: Sequence[Series], top: float) -> tuple[list[str], float]:
    """Swatches and names, wrapped into rows; returns the parts and the height they take."""
    parts, x, y = [], float(MARGIN_LEFT), top
    for index, item in enumerate(series):
        needed = 18 + len(item.name) * CHAR_WIDTH + 16
        if x + needed > WIDTH - MARGIN_RIGHT and x > MARGIN_LEFT:
            x, y = float(MARGIN_LEFT), y + LEGEND_ROW
        colour = PALETTE[index % len(PALETTE)]
        parts.append(f'<rect x="{x:.1f}" y="{y:.1f}" width="12" height="12" fill="{colour}"/>')
        parts.append(_text(x + 17, y + 10.5, item.name, font_size=12))
        x += needed
    return parts, (y - top) + LEGEND_ROW


def _description(categories: Sequence[str], series: Sequence[Series]) -> str:
    return "; ".join(
        f"{category}: " + ", ".join(f"{item.name} {item.values[index]}" for item in series)
        for index, category in enumerate(categories)
    )


def _check(categories: Sequence[str], series: Sequence[Series]) -> None:
    for item in series:
        if len(item.values) != len(categories):
            raise ValueError(
                f"series {item.name!r} has {len(item.values)} values for {len(categories)} categories"
            )
        if any(value < 0 for value in item.values):
            raise ValueError(f"series {item.name!r} has a negative value")


def bar_chart(
    *,
    chart_id: str,
    title: str,
    categories: Sequence[str],
    series: Sequence[Series],
    stacked: bool = False,
) -> Markup:
    """A bar chart: per category, one bar per series side by side (grouped) or piled up (stacked).

    ``chart_id`` must be unique in the page: it names the title and description for screen readers.
    """
    _check(categories, series)
    if stacked:
        highest = max((sum(item.values[i] for item in series) for i in range(len(categories))), default=0)
    else:
        highest = max((value for item in series for value in item.values), default=0)
    ticks = nice_ticks(highest)
    scale = PLOT_HEIGHT / ticks[-1]
    plot_width = WIDTH - MARGIN_LEFT - MARGIN_RIGHT
    group_width = plot_width / max(len(categories), 1)
    baseline = MARGIN_TOP + PLOT_HEIGHT

    parts: list[str] = []
    for tick in ticks:  # grid lines and their values
        y = baseline - tick * scale
        parts.append(f'<line x1="{MARGIN_LEFT}" x2="{WIDTH - MARGIN_RIGHT}" y1="{y:.1f}" y2="{y:.1f}" '
                     f'stroke="{"#333" if tick == 0 else "#ddd"}" stroke-width="1"/>')  # fmt: skip
        parts.append(_text(MARGIN_LEFT - 6, y + 4, str(tick), font_size=11, text_anchor="end", fill="#444"))

    # Bars keep a sensible width when there are few categories: a lone country is not a wall of colour.
    bar_width = (
        min(group_width * 0.6, MAX_BAR * 2)
        if stacked
        else min(group_width * 0.8 / max(len(series), 1), MAX_BAR)
    )
    inner = bar_width if stacked else bar_width * len(series)
    label_rows = 1
    for index, category in enumerate(categories):
        left = MARGIN_LEFT + index * group_width + (group_width - inner) / 2
        piled = 0
        for number, item in enumerate(series):
            value = item.values[index]
            height = value * scale
            x = left if stacked else left + number * bar_width
            y = baseline - (piled + value) * scale if stacked else baseline - height
            colour = PALETTE[number % len(PALETTE)]
            tip = escape(f"{category} – {item.name}: {value}")
            parts.append(f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar_width:.1f}" height="{height:.1f}" '
                         f'fill="{colour}"><title>{tip}</title></rect>')  # fmt: skip
            if not stacked and bar_width >= 14:
                parts.append(_text(x + bar_width / 2, y - 3, str(value), font_size=10, text_anchor="middle"))
            piled += value
        if stacked:
            parts.append(_text(left + inner / 2, baseline - piled * scale - 4, str(piled), font_size=11,
                               text_anchor="middle", font_weight="bold"))  # fmt: skip
        lines = _label_lines(category, group_width - 4)
        label_rows = max(label_rows, len(lines))
        for row, line in enumerate(lines):
            centre = MARGIN_LEFT + (index + 0.5) * group_width
            parts.append(
                _text(centre, baseline + 16 + row * LABEL_LINE, line, font_size=12, text_anchor="middle")
            )

    legend_top = baseline + 14 + label_rows * LABEL_LINE + 8
    legend, legend_height = _legend(series, legend_top)
    height = legend_top + legend_height
    title_id, desc_id = f"{chart_id}-title", f"{chart_id}-desc"
    return Markup(
        f'<svg xmlns="http://www.w3.org/2000/svg" class="report-chart" id="{escape(chart_id)}" '
        f'viewBox="0 0 {WIDTH} {height:.0f}" width="{WIDTH}" height="{height:.0f}" role="img" '
        f'aria-labelledby="{escape(title_id)} {escape(desc_id)}" font-family="{FONT}">'
        f'<title id="{escape(title_id)}">{escape(title)}</title>'
        f'<desc id="{escape(desc_id)}">{escape(_description(categories, series))}</desc>'
        + "".join(parts)
        + "".join(legend)
        + "</svg>"
    )


def grouped_bar_chart(
    *, chart_id: str, title: str, categories: Sequence[str], series: Sequence[Series]
) -> Markup:
    """Bars side by side: compares each series across categories (events of each kind per country)."""
    return bar_chart(chart_id=chart_id, title=title, categories=categories, series=series, stacked=False)


def stacked_bar_chart(
    *, chart_id: str, title: str, categories: Sequence[str], series: Sequence[Series]
) -> Markup:
    """Bars piled up, the total on top: how each category's whole splits (stakeholders per country)."""
    return bar_chart(chart_id=chart_id, title=title, categories=categories, series=series, stacked=True)
