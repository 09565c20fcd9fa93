"""PNG plots for dataset cards, drawn with matplotlib's Agg canvas.

matplotlib is imported inside each function, so importing the catalog (and the ``datagen``
command line) stays light. Figures are made without ``pyplot``: no global figure state, no
backend switch, safe beside a caller that uses pyplot itself. Every function takes plain
values and returns PNG bytes; what to plot, and when to leave a plot out, is ``card.py``'s.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any

SIZE = (6.4, 3.6)
DPI = 100
COLOR = "#4C72B0"
MAX_BARS = 30
"""Bars beyond the most frequent ``MAX_BARS`` values are summed into one ``other`` bar."""


def _figure() -> tuple[Any, Any]:
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    figure = Figure(figsize=SIZE, dpi=DPI, layout="constrained")
    FigureCanvasAgg(figure)
    return figure, figure.subplots()


def _png(figure: Any) -> bytes:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", metadata={"Software": None})
    return buffer.getvalue()


def bar_png(
    bars: Sequence[tuple[str, float]],
    *,
    title: str,
    ylabel: str = "rows",
    notes: Sequence[str] | None = None,
) -> bytes:
    """One bar per (label, height), in the order given; ``notes`` are written over the bars."""
    figure, axes = _figure()
    labels = [label for label, _ in bars]
    heights = [height for _, height in bars]
    drawn = axes.bar(range(len(bars)), heights, color=COLOR)
    axes.set_xticks(range(len(bars)), labels, rotation=45 if len(bars) > 6 else 0, ha="right"
                    if len(bars) > 6 else "center", fontsize=8)  # fmt: skip
    axes.bar_label(drawn, labels=list(notes) if notes else None, fontsize=7, padding=1)
    axes.set_title(title, fontsize=10)
    axes.set_ylabel(ylabel)
    axes.margins(y=0.15)
    return _png(figure)


def hist_png(values: Sequence[float], *, title: str, bins: int, xlabel: str = "") -> bytes:
    """A histogram of numbers in ``bins`` equal bins."""
    figure, axes = _figure()
    axes.hist(list(values), bins=bins, color=COLOR, edgecolor="white")
    axes.set_title(title, fontsize=10)
    axes.set_xlabel(xlabel)
    axes.set_ylabel("rows")
    return _png(figure)


def funnel_png(stages: Sequence[dict[str, Any]], *, title: str) -> bytes:
    """Each stage's records out, filtered and quarantined, as stacked horizontal bars (first
    stage on top); ``stages`` are ``Catalog.show``'s ``stage_counts``."""
    figure, axes = _figure()
    names = [s["stage"] for s in stages]
    left = [0] * len(stages)
    for key, label, color in (
        ("n_out", "out", COLOR),
        ("n_filtered", "filtered", "#DD8452"),
        ("n_quarantined", "quarantined", "#C44E52"),
    ):
        widths = [s[key] for s in stages]
        axes.barh(names, widths, left=left, label=label, color=color)
        left = [a + b for a, b in zip(left, widths, strict=True)]
    axes.invert_yaxis()
    axes.set_title(title, fontsize=10)
    axes.set_xlabel("records in")
    axes.tick_params(axis="y", labelsize=8)
    axes.legend(fontsize=8, loc="lower right")
    return _png(figure)
