"""A grouped bar chart as geometry for an inline SVG, drawn on the server (no script, no library).

Pure: counts in, rectangles and labels out, so the page's template only writes them down.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Protocol

#: Drawing size in SVG units; the SVG scales to the page's width (viewBox).
WIDTH, HEIGHT = 720, 220
LEFT, RIGHT, TOP, BOTTOM = 36, 8, 10, 24
#: At most this many x-axis labels, so they never overlap.
MAX_X_LABELS = 12


class SeriesLike(Protocol):
    name: str
    css: str
    counts: list[int]


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    css: str
    title: str


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    bars: list[Bar]
    y_ticks: list[tuple[float, str]]  # (y, label)
    x_labels: list[tuple[float, str]]  # (x of the group's middle, label)
    baseline: float
    legend: list[tuple[str, str, int]]  # (css, name, total)
    description: str


def nice_ceiling(value: int) -> int:
    """The smallest 1, 2 or 5 times a power of ten that is at least `value` (at least 1)."""
    if value <= 1:
        return 1
    power = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 5, 10):
        if step * power >= value:
            return step * power
    raise AssertionError("unreachable")


def bar_chart(labels: list[str], series: list[SeriesLike], *, width: int = WIDTH, height: int = HEIGHT) -> Chart:
    """Bars of every series side by side for each label; y from 0 to a round maximum."""
    if any(len(s.counts) != len(labels) for s in series):
        raise ValueError("every series needs one count per label")
    top = nice_ceiling(max((n for s in series for n in s.counts), default=0))
    plot_w, plot_h = width - LEFT - RIGHT, height - TOP - BOTTOM
    baseline = TOP + plot_h
    group = plot_w / max(1, len(labels))
    bar_w = group * 0.8 / max(1, len(series))
    bars = []
    for i, label in enumerate(labels):
        for j, s in enumerate(series):
            n = s.counts[i]
            h = plot_h * n / top
            x = LEFT + i * group + group * 0.1 + j * bar_w
            bars.append(Bar(round(x, 1), round(baseline - h, 1), round(bar_w, 1), round(h, 1), s.css,
                            f"{label}: {n} {s.name}"))
    ticks = [(round(baseline - plot_h * k / 4, 1), f"{top * k // 4:,}" if top % 4 == 0 or k in (0, 4) else "")
             for k in range(5)]
    every = max(1, math.ceil(len(labels) / MAX_X_LABELS))
    x_labels = [(round(LEFT + i * group + group / 2, 1), label) for i, label in enumerate(labels) if i % every == 0]
    legend = [(s.css, s.name, sum(s.counts)) for s in series]
    description = "; ".join(f"{name} {total}" for _, name, total in legend)
    return Chart(width, height, bars, ticks, x_labels, baseline, legend, description)
