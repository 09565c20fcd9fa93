"""What a dataset card plots, read from a version: a column's values, and the plot they make.

A plot spec (``generators.recipes.PlotSpec``, or any object with its attributes) names a kind
and a column; ``render_plot`` reads what it needs and returns PNG bytes, or ``None`` when there
is nothing to draw (the column is missing or empty): a card leaves such a plot out.
"""

from __future__ import annotations

import json
import math
import re
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Protocol

import pyarrow as pa
import pyarrow.parquet as pq

from datagen.catalog.plots import MAX_BARS, bar_png, funnel_png, hist_png

MAX_INTEGER_BARS = 30
"""A ``hist`` of integers with at most this many distinct values is drawn as counted bars."""


class PlotSpecLike(Protocol):
    """What a card needs of a plot spec (``datagen.generators.recipes.PlotSpec``)."""

    @property
    def name(self) -> str: ...
    @property
    def title(self) -> str: ...
    @property
    def kind(self) -> str: ...
    @property
    def column(self) -> str: ...
    @property
    def stages(self) -> tuple[str, ...]: ...
    @property
    def having(self) -> str: ...
    @property
    def bins(self) -> int: ...


def _json_fields(schema_id: str) -> tuple[str, ...]:
    from datagen.schemas import UnknownSchemaError, json_encoded_fields

    try:
        return json_encoded_fields(schema_id)
    except UnknownSchemaError:
        return ()


def _walk(value: Any, keys: Sequence[str], *, decode: bool) -> Any:
    if decode and isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            return None
    for key in keys:
        if isinstance(value, str):  # a JSON field the schema does not mark
            try:
                value = json.loads(value)
            except ValueError:
                return None
        value = value.get(key) if isinstance(value, dict) else None
    return value


def column_values(paths: Sequence[Path], schema_id: str, column: str) -> list[Any]:
    """The non-null values of ``column`` (``a.b``: field ``b`` of JSON or struct ``a``) over a
    version's parts; empty when a part lacks the column."""
    top, *rest = column.split(".")
    if not paths or any(top not in pq.read_schema(p).names for p in paths):
        return []
    table = pa.concat_tables([pq.read_table(p, columns=[top]) for p in paths])
    decode = top in _json_fields(schema_id)
    values = (_walk(v, rest, decode=decode) for v in table.column(top).to_pylist())
    return [v for v in values if v is not None]


def record_values(records: Sequence[dict[str, Any]], column: str, having: str = "") -> list[Any]:
    """The values of ``column`` in decoded records (quarantined ones), those with ``having``."""
    top, *rest = column.split(".")
    picked = (r for r in records if isinstance(r, dict) and (not having or having in r))
    values = (_walk(r.get(top), rest, decode=False) for r in picked)
    return [v for v in values if v is not None]


def _natural(label: str) -> list[Any]:
    """Sort key: numbers inside labels compare as numbers (``0.2-0.3`` before ``0.10-...``)."""
    parts = re.split(r"(\d+(?:\.\d+)?)", label)
    return [(1, float(p), "") if i % 2 else (0, 0.0, p) for i, p in enumerate(parts)]


def _label(value: Any) -> str:
    if isinstance(value, bool):
        return str(value).lower()
    return value if isinstance(value, str) else json.dumps(value, sort_keys=True)


def counted_bars(values: Sequence[Any]) -> list[tuple[str, int]]:
    """(label, rows) per distinct value in natural order, the rarest beyond ``MAX_BARS`` summed
    as ``other``."""
    counts = Counter(_label(v) for v in values)
    if len(counts) > MAX_BARS:
        kept = dict(counts.most_common(MAX_BARS - 1))
        other = sum(n for label, n in counts.items() if label not in kept)
        return [*sorted(kept.items(), key=lambda kv: _natural(kv[0])), ("other", other)]
    return sorted(counts.items(), key=lambda kv: _natural(kv[0]))


def _numbers(values: Sequence[Any]) -> list[float]:
    numbers = [float(v) for v in values if isinstance(v, int | float)]
    return [n for n in numbers if math.isfinite(n)]


def _distribution(spec: PlotSpecLike, numbers: list[float]) -> bytes | None:
    if not numbers:
        return None
    distinct = set(numbers)
    low, high = min(distinct), max(distinct)
    # Small whole numbers (turns, tool calls) read best as one bar per value, gaps shown as 0;
    # a wide span (AST nodes 10..2000) would be thousands of bars, so it is a histogram.
    if all(n.is_integer() for n in distinct) and high - low < MAX_INTEGER_BARS:
        counts = Counter(int(n) for n in numbers)
        bars = [(str(k), counts.get(k, 0)) for k in range(int(low), int(high) + 1)]
        return bar_png(bars, title=spec.title)
    return hist_png(numbers, title=spec.title, bins=spec.bins, xlabel=spec.column)


def _rate(spec: PlotSpecLike, kept: Sequence[Any], failed: Sequence[Any]) -> bytes | None:
    if not kept and not failed:
        return None
    passed, lost = Counter(_label(v) for v in kept), Counter(_label(v) for v in failed)
    groups = sorted(set(passed) | set(lost), key=_natural)
    bars = [(g, passed[g] / (passed[g] + lost[g])) for g in groups]
    notes = [f"{passed[g]}/{passed[g] + lost[g]}" for g in groups]
    return bar_png(bars, title=spec.title, ylabel="kept / checked", notes=notes)


def render_plot(
    spec: PlotSpecLike,
    *,
    paths: Sequence[Path],
    schema_id: str,
    stage_counts: Sequence[dict[str, Any]],
    quarantined: Sequence[tuple[str, dict[str, Any]]],
) -> bytes | None:
    """The PNG of one plot of a version, or ``None`` when its data is missing or empty;
    ``quarantined`` holds (stage, decoded record) pairs."""
    if spec.kind == "funnel":
        return funnel_png(stage_counts, title=spec.title) if stage_counts else None
    values = column_values(paths, schema_id, spec.column)
    if spec.kind == "bar":
        return bar_png(counted_bars(values), title=spec.title) if values else None
    if spec.kind == "hist":
        return _distribution(spec, _numbers(values))
    if spec.kind == "length":
        return _distribution(spec, [float(len(v)) for v in values if isinstance(v, list | str)])
    if spec.kind == "rate":
        records = [r for stage, r in quarantined if stage in spec.stages]
        return _rate(spec, values, record_values(records, spec.column, spec.having))
    raise ValueError(f"unknown plot kind {spec.kind!r} of plot {spec.name!r}")
