"""A version's lineage drawn as a small, self-contained SVG: boxes and arrows, nothing else.

The graph is plain data (``LineageGraph``), built from the catalog by ``report.lineage_graph``;
``lineage_svg`` only lays it out and writes the markup, so it is a pure function of the graph.
Columns run left to right from the oldest ancestors to the version itself; a version's sources
stand in the column left of it. Parent links are solid arrows, source links dashed ones.
"""

from __future__ import annotations

from dataclasses import dataclass
from html import escape

NODE_KINDS = ("version", "source", "missing")
EDGE_KINDS = ("parent", "source")
BOX_W, BOX_H = 230, 34
GAP_X, GAP_Y, MARGIN = 70, 16, 12
MAX_LABEL = 30
_FILL = {"version": "#e8f0fe", "source": "#f1f3f4", "missing": "#fce8e6"}
_STROKE = {"version": "#1a73e8", "source": "#5f6368", "missing": "#d93025"}


@dataclass(frozen=True, kw_only=True)
class LineageNode:
    """A box: a catalog version, an external source, or a parent that is no longer there."""

    key: str
    label: str
    kind: str
    detail: str = ""
    """Shown as the box's tooltip (``<title>``): license, details, why a parent is missing."""

    def __post_init__(self) -> None:
        if self.kind not in NODE_KINDS:
            raise ValueError(f"lineage node kind must be one of {NODE_KINDS}, got {self.kind!r}")


@dataclass(frozen=True, kw_only=True)
class LineageEdge:
    """An arrow from ``source`` (a parent version or a source) to the version it fed."""

    source: str
    target: str
    kind: str

    def __post_init__(self) -> None:
        if self.kind not in EDGE_KINDS:
            raise ValueError(f"lineage edge kind must be one of {EDGE_KINDS}, got {self.kind!r}")


@dataclass(frozen=True, kw_only=True)
class LineageGraph:
    """The version ``root`` and what it came from; every edge names two of ``nodes``."""

    root: str
    nodes: tuple[LineageNode, ...]
    edges: tuple[LineageEdge, ...]

    def __post_init__(self) -> None:
        keys = [node.key for node in self.nodes]
        if len(set(keys)) != len(keys):
            raise ValueError(f"lineage node keys must be unique, got {keys}")
        if self.root not in keys:
            raise ValueError(f"lineage root {self.root!r} is not one of the nodes")
        for edge in self.edges:
            if edge.source not in keys or edge.target not in keys:
                raise ValueError(f"lineage edge {edge.source} -> {edge.target} names no node")


def _columns(graph: LineageGraph) -> dict[str, int]:
    """Each node's distance from the root along the arrows, backwards (root: 0); a node
    reached by several paths takes the longest, so every arrow points rightwards."""
    feeding: dict[str, list[str]] = {}
    for edge in graph.edges:
        feeding.setdefault(edge.target, []).append(edge.source)
    depth = {graph.root: 0}
    frontier = [graph.root]
    for _ in range(len(graph.nodes)):  # a cycle cannot push a node further than this
        reached = []
        for key in frontier:
            for parent in feeding.get(key, ()):
                if depth.get(parent, -1) < depth[key] + 1:
                    depth[parent] = depth[key] + 1
                    reached.append(parent)
        if not reached:
            break
        frontier = reached
    for node in graph.nodes:  # not connected to the root: drawn beside it
        depth.setdefault(node.key, 0)
    return depth


def _short(text: str) -> str:
    return text if len(text) <= MAX_LABEL else text[: MAX_LABEL - 1] + "…"


def lineage_svg(graph: LineageGraph) -> str:
    """The graph as an ``<svg>`` element to inline in HTML (no namespace declaration, which
    HTML does not need; no scripts, no external references)."""
    depth = _columns(graph)
    width_cols = max(depth.values()) + 1
    rows: dict[int, list[LineageNode]] = {}
    for node in graph.nodes:
        rows.setdefault(depth[node.key], []).append(node)
    place: dict[str, tuple[int, int]] = {}
    for column, nodes in rows.items():
        for row, node in enumerate(nodes):
            x = MARGIN + (width_cols - 1 - column) * (BOX_W + GAP_X)
            place[node.key] = (x, MARGIN + row * (BOX_H + GAP_Y))
    width = 2 * MARGIN + width_cols * BOX_W + (width_cols - 1) * GAP_X
    height = 2 * MARGIN + max(len(nodes) for nodes in rows.values()) * (BOX_H + GAP_Y) - GAP_Y
    parts = [
        f'<svg class="lineage" width="{width}" '
        f'height="{height}" viewBox="0 0 {width} {height}" role="img" '
        f'aria-label="lineage of {escape(graph.root)}">',
        '<defs><marker id="lineage-arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="8" '
        'markerHeight="8" orient="auto-start-reverse"><path d="M 0 0 L 10 5 L 0 10 z" '
        'fill="#5f6368"/></marker></defs>',
    ]
    for edge in graph.edges:
        (x1, y1), (x2, y2) = place[edge.source], place[edge.target]
        dash = ' stroke-dasharray="5 4"' if edge.kind == "source" else ""
        parts.append(
            f'<line class="edge {edge.kind}" x1="{x1 + BOX_W}" y1="{y1 + BOX_H // 2}" '
            f'x2="{x2}" y2="{y2 + BOX_H // 2}" stroke="#5f6368" stroke-width="1.5"{dash} '
            'marker-end="url(#lineage-arrow)"/>'
        )
    for node in graph.nodes:
        x, y = place[node.key]
        weight = ' font-weight="bold"' if node.key == graph.root else ""
        tip = escape(node.label + (f"\n{node.detail}" if node.detail else ""))
        parts.append(
            f'<g class="node {node.kind}" data-key="{escape(node.key)}"><title>{tip}</title>'
            f'<rect x="{x}" y="{y}" width="{BOX_W}" height="{BOX_H}" rx="5" '
            f'fill="{_FILL[node.kind]}" stroke="{_STROKE[node.kind]}"/>'
            f'<text x="{x + 10}" y="{y + BOX_H // 2 + 5}" font-family="sans-serif" '
            f'font-size="13"{weight}>{escape(_short(node.label))}</text></g>'
        )
    parts.append("</svg>")
    return "".join(parts)
