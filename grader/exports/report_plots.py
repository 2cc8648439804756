"""The class report's plots, drawn with matplotlib into inline SVG text.

Figures are built with the object API (no pyplot, so no global figure state) on
the Agg canvas, and saved with text kept as text (small files) and a fixed hash salt
(the same data gives the same SVG, byte for byte).
"""

from __future__ import annotations

import io
import re
from collections.abc import Sequence

import matplotlib
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

_METADATA = re.compile(r"<metadata>.*?</metadata>\s*", re.DOTALL)  # creator, licence: noise
_STYLE = {"svg.fonttype": "none", "svg.hashsalt": "cnn-grader", "font.size": 9}


def to_svg(figure: Figure) -> str:
    """The figure as an ``<svg>`` element (no XML prolog), ready to inline."""
    FigureCanvasAgg(figure)
    buffer = io.StringIO()
    with matplotlib.rc_context(_STYLE):
        figure.savefig(buffer, format="svg", bbox_inches="tight", metadata={"Date": None})
    text = buffer.getvalue()
    return _METADATA.sub("", text[text.index("<svg"):])


def score_histogram(scores: Sequence[float], max_score: float) -> str:
    figure = Figure(figsize=(6.0, 2.6))
    axes = figure.add_subplot()
    bins = min(20, max(5, int(max_score) or 5))
    axes.hist(scores, bins=bins, range=(0, max_score or 1), color="#4a7ab5", edgecolor="white")
    axes.set_xlabel(f"score (of {max_score:g})")
    axes.set_ylabel("students")
    axes.yaxis.set_major_locator(MaxNLocator(integer=True))
    axes.spines[["top", "right"]].set_visible(False)
    return to_svg(figure)


def item_chart(ids: Sequence[str], facilities: Sequence[float],
               discriminations: Sequence[float | None]) -> str:
    """Facility (bars, left axis) and discrimination (dots, right axis) per exercise."""
    figure = Figure(figsize=(7.0, 3.0))
    axes = figure.add_subplot()
    positions = range(len(ids))
    axes.bar(positions, [100 * f for f in facilities], color="#9cc3e6", label="facility %")
    axes.set_ylim(0, 100)
    axes.set_ylabel("facility %")
    axes.set_xticks(list(positions), ids, rotation=60, ha="right", fontsize=7)
    right = axes.twinx()
    right.plot(positions, [d if d is not None else float("nan") for d in discriminations],
               "o", color="#c0392b", label="discrimination")
    right.axhline(20, color="#c0392b", linewidth=0.6, linestyle=":")
    right.set_ylim(-40, 100)
    right.set_ylabel("discrimination", color="#c0392b")
    return to_svg(figure)


def mistake_chart(labels: Sequence[str], counts: Sequence[int]) -> str:
    """Horizontal bars: students per misconception (most common on top)."""
    figure = Figure(figsize=(7.0, 0.6 + 0.25 * max(1, len(labels))))
    axes = figure.add_subplot()
    axes.barh(range(len(labels)), counts, color="#e08e45")
    axes.set_yticks(range(len(labels)), labels, fontsize=7)
    axes.invert_yaxis()
    axes.set_xlabel("students")
    axes.xaxis.set_major_locator(MaxNLocator(integer=True))
    axes.spines[["top", "right"]].set_visible(False)
    return to_svg(figure)
