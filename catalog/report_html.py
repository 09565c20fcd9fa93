"""A ``VersionReport`` as one self-contained HTML page: inline CSS, inline SVG, plots as
``data:`` URIs, no script and nothing fetched from anywhere.

Every value from the catalog goes through ``html.escape``; the card's Markdown is rendered
with raw HTML switched off (``<script>`` in a card is text), its plot references
``![title](plots/NAME.png)`` become ``<img>`` elements carrying the PNG, any other image is its
alt text and a link out of the page its text and address: the page loads nothing and links
nowhere but to itself.
"""

from __future__ import annotations

import base64
import json
import re
import xml.etree.ElementTree as ET
from html import escape
from typing import Any

from datagen.catalog.lineage_svg import lineage_svg
from datagen.catalog.report import Comparison, QuarantineGroup, SampleRow, VersionReport

MAX_VALUE = 600
"""Characters of one value shown in a table; the rest is counted, not shown."""
HEADINGS = ("h1", "h2", "h3", "h4", "h5", "h6")
PLOT_SRC = re.compile(r"plots/([A-Za-z0-9._-]+)\.png")

STYLE = """
body { font-family: system-ui, sans-serif; margin: 2rem auto; max-width: 78rem; padding: 0 1rem;
  color: #202124; line-height: 1.45; }
h1 { font-size: 1.6rem; } h2 { border-bottom: 1px solid #dadce0; padding-bottom: .2rem; }
table { border-collapse: collapse; margin: .5rem 0 1rem; }
th, td { border: 1px solid #dadce0; padding: .25rem .5rem; text-align: left; vertical-align: top; }
th { background: #f1f3f4; }
td.value { font-family: ui-monospace, monospace; font-size: .85rem; white-space: pre-wrap;
  word-break: break-word; max-width: 60rem; }
tr.verdict th, tr.verdict td { background: #fef7e0; }
pre { background: #f8f9fa; padding: .5rem; overflow-x: auto; font-size: .85rem; }
img.plot { max-width: 100%; display: block; margin: .5rem 0; border: 1px solid #dadce0; }
.muted { color: #5f6368; } .missing { color: #d93025; }
nav a { margin-right: 1rem; }
.samples { display: grid; grid-template-columns: repeat(auto-fill, minmax(24rem, 1fr));
  gap: 0 1.5rem; }
.samples table { width: 100%; }
"""


def value_text(value: Any, limit: int = MAX_VALUE) -> str:
    """A cell's text: strings as they are, other values as JSON, cut at ``limit`` characters."""
    if isinstance(value, bytes):
        text = f"<{len(value)} bytes>"
    elif isinstance(value, str):
        text = value
    else:
        text = json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)
    if len(text) > limit:
        text = text[:limit] + f"… ({len(text) - limit} more characters)"
    return text


def _cell(value: Any) -> str:
    return f'<td class="value">{escape(value_text(value))}</td>'


def _plot_img(plot: Any) -> str:
    data = base64.b64encode(plot.png).decode("ascii")
    return (
        f'<img class="plot" data-plot="{escape(plot.name)}" alt="{escape(plot.title)}" '
        f'title="{escape(plot.title)}" src="data:image/png;base64,{data}">'
    )


def _markdown_html(body: str, plots: dict[str, Any]) -> tuple[str, set[str]]:
    """The card's Markdown as HTML, and the names of the plots it showed."""
    import markdown
    from markdown.extensions import Extension
    from markdown.treeprocessors import Treeprocessor

    shown: set[str] = set()

    class Inline(Treeprocessor):
        def run(self, root: ET.Element) -> None:
            for element in root.iter():
                if element.tag in HEADINGS:  # under the page's own h1 and the section's h2
                    element.tag = f"h{min(int(element.tag[1]) + 2, 6)}"
                elif element.tag == "img":
                    self._image(element)
                elif element.tag == "a" and not element.get("href", "").startswith("#"):
                    self._link(element)

        def _link(self, element: ET.Element) -> None:
            """A link out of the page is its text, the address written after it."""
            href = element.attrib.pop("href", "")
            element.tag, element.attrib = "span", {"class": "link"}
            if href and href != "".join(element.itertext()):
                element.tail = f" ({href})" + (element.tail or "")

        def _image(self, element: ET.Element) -> None:
            found = PLOT_SRC.fullmatch(element.get("src", ""))
            plot = plots.get(found.group(1)) if found else None
            if plot is None:  # nothing leaves the page: an unknown image is its text
                missing = f"[missing image {element.get('src', '')}: {element.get('alt', '')}]"
                element.tag, element.attrib, element.text = "span", {"class": "missing"}, missing
                return
            shown.add(plot.name)
            element.attrib = {
                "class": "plot",
                "data-plot": plot.name,
                "alt": plot.title,
                "title": plot.title,
                "src": "data:image/png;base64," + base64.b64encode(plot.png).decode("ascii"),
            }

    class Safe(Extension):
        def extendMarkdown(self, md: markdown.Markdown) -> None:
            md.preprocessors.deregister("html_block")  # raw HTML is text, escaped
            md.inlinePatterns.deregister("html")
            md.treeprocessors.register(Inline(md), "datagen_inline", 0)

    converter = markdown.Markdown(extensions=["tables", "fenced_code", "sane_lists", Safe()])
    return converter.convert(body), shown


def card_html(card: Any) -> str:
    """The card: its front matter as a table, its body, then any plot the body did not show."""
    plots = {plot.name: plot for plot in card.plots}
    body, shown = _markdown_html(card.body, plots)
    parts = []
    if card.front_matter:
        rows = "".join(
            f"<tr><th>{escape(str(k))}</th>{_cell(v)}</tr>" for k, v in card.front_matter.items()
        )
        parts.append(f'<table class="front-matter">{rows}</table>')
    parts.append(f'<div class="card-body">{body}</div>')
    rest = [plot for plot in card.plots if plot.name not in shown]
    if rest:
        parts.append("<h3>Plots</h3>")
        parts += [
            f"<figure>{_plot_img(p)}<figcaption>{escape(p.title)}</figcaption></figure>"
            for p in rest
        ]
    return "".join(parts)


def _sample_html(row: SampleRow, total: int) -> str:
    verdicts = "".join(
        f'<tr class="verdict"><th>{escape(k)}</th>{_cell(v)}</tr>' for k, v in row.verdicts.items()
    )
    fields = "".join(f"<tr><th>{escape(k)}</th>{_cell(v)}</tr>" for k, v in row.fields.items())
    return (
        f'<section class="sample" data-row="{row.index}"><h3>row {row.index + 1} of {total}</h3>'
        f"<table>{verdicts}{fields}</table></section>"
    )


def _quarantine_html(group: QuarantineGroup) -> str:
    rows = "".join(
        f"<tr><td>{escape(s.record_id)}</td>{_cell(s.reason)}{_cell(s.record)}</tr>"
        for s in group.samples
    )
    shown = f"{len(group.samples)} of {group.count} shown"
    table = f"<table><tr><th>record</th><th>reason</th><th>record (JSON)</th></tr>{rows}</table>"
    return (
        f'<section class="quarantine-group" data-stage="{escape(group.stage)}" '
        f'data-code="{escape(group.code)}"><h3>{escape(group.stage)}: {escape(group.code)} '
        f'<span class="muted">({group.count} records, {shown})</span></h3>'
        f"{table if group.samples else ''}</section>"
    )


def _changes_table(title: str, changes: dict[str, dict[str, Any]], a: str, b: str) -> str:
    if not changes:
        return f'<p class="muted">{escape(title)}: no change</p>'
    rows = "".join(
        f"<tr><th>{escape(key)}</th>{_cell(ab['a'])}{_cell(ab['b'])}</tr>"
        for key, ab in changes.items()
    )
    head = f"<tr><th>{escape(title)}</th><th>{escape(a)}</th><th>{escape(b)}</th></tr>"
    return f"<table>{head}{rows}</table>"


def _comparison_html(comparison: Comparison, ref: str) -> str:
    head = f"<h3>{escape(comparison.other)} → {escape(ref)} ({escape(comparison.relation)})</h3>"
    if comparison.diff is None:
        error = escape(comparison.error or "")
        return f'<section class="diff">{head}<p class="missing">{error}</p></section>'
    d = comparison.diff
    rows, cols = d["rows"], d["columns"]
    changed = "" if rows["changed"] is None else f", changed {rows['changed']}"
    facts = [
        f"rows: {d['row_count']['a']} → {d['row_count']['b']}",
        "same content" if d["same_content"] else "content differs",
        f"rows matched by {rows['key']}: only in {d['a']} {rows['only_a']}, "
        f"only in {d['b']} {rows['only_b']}, in both {rows['both']}{changed}",
        f"columns only in {d['a']}: {', '.join(cols['only_a']) or 'none'}; "
        f"only in {d['b']}: {', '.join(cols['only_b']) or 'none'}",
    ]
    items = "".join(f"<li>{escape(fact)}</li>" for fact in facts)
    tables = "".join(
        _changes_table(title, d[key], d["a"], d["b"])
        for key, title in (("metadata", "metadata"), ("params", "parameter"), ("stats", "stat"))
    )
    return f'<section class="diff">{head}<ul>{items}</ul>{tables}</section>'


def render_report_html(report: VersionReport) -> str:
    """The whole page."""
    shown = report.shown
    total = shown["row_count"]
    sections = [
        ("card", "Dataset card", card_html(report.card)),
        (
            "rows",
            f"Sample rows ({len(report.rows)} of {total})",
            f'<div class="samples">{"".join(_sample_html(row, total) for row in report.rows)}</div>'
            if report.rows
            else '<p class="muted">No rows.</p>',
        ),
        (
            "quarantine",
            f"Quarantine ({report.quarantined} records)",
            "".join(_quarantine_html(group) for group in report.quarantine)
            or '<p class="muted">Nothing was quarantined.</p>',
        ),
        ("lineage", "Lineage", lineage_svg(report.lineage)),
        (
            "diffs",
            "Differences",
            "".join(_comparison_html(c, report.ref) for c in report.comparisons)
            or '<p class="muted">No earlier version and no lineage parent.</p>',
        ),
    ]
    nav = "".join(f'<a href="#{key}">{escape(title)}</a>' for key, title, _ in sections)
    body = "".join(
        f'<section id="{key}"><h2>{escape(title)}</h2>{content}</section>'
        for key, title, content in sections
    )
    summary = (
        f"{total} rows, {shown['bytes']} bytes, schema {shown['schema_id']}, "
        f"created {shown['created_at']}, code {shown['code_version']}"
    )
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>{escape(report.ref)}: datagen report</title><style>{STYLE}</style></head>"
        f'<body><h1>{escape(report.ref)}</h1><p class="muted">{escape(summary)}</p>'
        f"<nav>{nav}</nav>{body}</body></html>\n"
    )
