"""``datagen catalog report``'s page, read as HTML: self-contained, escaped, complete."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest

from datagen.catalog.card import Plot, version_card
from datagen.catalog.lineage_svg import LineageEdge, LineageGraph, LineageNode, lineage_svg
from datagen.catalog.report import is_verdict_column, spread_indices
from datagen.catalog.report_html import card_html
from tests.report.conftest import SCRIPT_QUESTION, SCRIPT_REJECT, datagen


class Page(HTMLParser):
    """Every start tag with its attributes, and the page's text."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str]]] = []
        self.text: list[str] = []
        self.feed(html)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, {k: v or "" for k, v in attrs}))

    def handle_data(self, data: str) -> None:
        self.text.append(data)

    def all(self, tag: str, **having: str) -> list[dict[str, str]]:
        return [
            a
            for t, a in self.tags
            if t == tag and all(v in a.get(k, "").split() for k, v in having.items())
        ]


def test_the_page_loads_nothing_and_links_nowhere_else(written_report) -> None:
    page = Page(written_report.html)
    assert not re.search(r"https?://", written_report.html)
    assert not {"script", "link", "iframe", "object", "embed", "base"} & {t for t, _ in page.tags}
    sources = [a["src"] for _, a in page.tags if "src" in a]
    assert sources and all(s.startswith("data:image/png;base64,") for s in sources)
    assert all(a["href"].startswith("#") for _, a in page.tags if "href" in a)
    assert not re.search(r"url\((?!#)|@import", written_report.html)  # only the SVG's own marker


def test_row_and_quarantine_values_are_text_not_tags(written_report) -> None:
    page = Page(written_report.html)
    assert "script" not in {t for t, _ in page.tags}
    text = "".join(page.text)
    assert SCRIPT_QUESTION in text  # shown, as text
    assert SCRIPT_REJECT in text  # inside the record's JSON
    assert "&lt;script&gt;alert(&#x27;row&#x27;)&lt;/script&gt;" in written_report.html


def test_the_page_has_the_cards_plots_rows_quarantine_lineage_and_diff(
    written_report, report_store
) -> None:
    page, catalog, ref = Page(written_report.html), report_store.catalog, report_store.second
    assert [a["id"] for a in page.all("section") if "id" in a] == [
        "card", "rows", "quarantine", "lineage", "diffs",
    ]  # fmt: skip
    card = version_card(catalog, ref)
    assert card.plots, "the example's card draws plots"
    assert sorted(a["data-plot"] for a in page.all("img", **{"class": "plot"})) == sorted(
        p.name for p in card.plots
    )
    total = catalog.resolve(ref).row_count
    samples = page.all("section", **{"class": "sample"})
    assert [int(a["data-row"]) for a in samples] == spread_indices(total, written_report.rows)
    assert f"Sample rows ({written_report.rows} of {total})" in written_report.html
    assert len(page.all("tr", **{"class": "verdict"})) == 2 * written_report.rows  # pass_*

    shown = catalog.show(ref)
    assert {q["stage"] for q in shown["quarantine"]} == {"validate"}
    assert sum(q["count"] for q in shown["quarantine"]) == 3
    groups = page.all("section", **{"class": "quarantine-group"})
    assert [(g["data-stage"], g["data-code"]) for g in groups] == [("validate", "schema_violation")]
    assert f"(3 records, {written_report.per_reason} of 3 shown)" in "".join(page.text)

    assert {a["data-key"] for a in page.all("g", **{"class": "node"})} >= {ref, report_store.first}
    assert len(page.all("line", **{"class": "parent"})) == 1
    assert len(page.all("line", **{"class": "source"})) == 4  # two sources of each version
    diff = catalog.diff(report_store.first, ref)
    text = "".join(page.text)
    assert f"{report_store.first} → {ref} (previous version and lineage parent)" in text
    assert f"rows: {diff['row_count']['a']} → {diff['row_count']['b']}" in text
    assert f"only in {ref} {diff['rows']['only_b']}" in text
    assert diff["params"]["seed"] == {"a": 3, "b": 4}


@pytest.mark.parametrize(
    ("ref", "message"),
    [
        ("example@9", "error: dataset 'example' has no version 9; existing versions: 1, 2"),
        ("nope@1", "error: unknown dataset 'nope'; known datasets: example"),
        ("Bad Name", "error: invalid dataset name 'Bad Name'"),
    ],
)
def test_an_unknown_version_is_a_clear_error_and_writes_nothing(
    report_store, tmp_path, ref, message
) -> None:
    out = tmp_path / "report.html"
    done = datagen("catalog", "report", ref, "--out", str(out), store=report_store.store)
    assert done.returncode == 1
    assert message in done.stderr and "Traceback" not in done.stderr
    assert not out.exists() and not list(tmp_path.iterdir())


def test_card_markdown_cannot_inject_markup_or_fetch(report_store) -> None:
    card = version_card(report_store.catalog, report_store.second)
    png = card.plots[0].png
    hostile = type(card)(
        front_matter={"name": "<b>bold</b>"},
        body="# Card <i>x</i>\n\n<script>alert(1)</script>\n\n![remote](https://example.org/x.png)"
        "\n\n[a paper](https://arxiv.org/abs/2510.26167) [js](javascript:alert(1))\n\n"
        "![Kept](plots/kept.png)\n\n| a | b |\n| --- | --- |\n| <u>1</u> | `<x>` |\n",
        plots=(
            Plot(name="kept", title="Kept <em>", png=png),
            Plot(name="extra", title="Extra", png=png),
        ),
    )
    page = Page(card_html(hostile))
    tags = {t for t, _ in page.tags}
    assert not {"script", "b", "i", "u", "a", "em"} & tags
    assert [a["data-plot"] for a in page.all("img")] == ["kept", "extra"]  # unreferenced: appended
    assert all(a["src"].startswith("data:image/png;base64,") for a in page.all("img"))
    text = "".join(page.text)
    assert "<script>alert(1)</script>" in text and "<b>bold</b>" in text
    assert "a paper (https://arxiv.org/abs/2510.26167)" in text  # a link out is its text
    assert "[missing image https://example.org/x.png: remote]" in text
    assert {"table", "h3"} <= tags and "h1" not in tags  # the card's h1 sits under the page's


def test_lineage_svg_draws_every_arrow_left_to_right() -> None:
    graph = LineageGraph(
        root="c@1",
        nodes=(
            LineageNode(key="c@1", label="c@1", kind="version"),
            LineageNode(key="b@2", label="b@2", kind="version"),
            LineageNode(key="a@1", label="a@1", kind="missing", detail="deleted <then>"),
            LineageNode(key="src", label="hf:" + "x" * 60, kind="source"),
        ),
        edges=(
            LineageEdge(source="b@2", target="c@1", kind="parent"),
            LineageEdge(source="a@1", target="b@2", kind="parent"),
            LineageEdge(source="a@1", target="c@1", kind="parent"),
            LineageEdge(source="src", target="a@1", kind="source"),
        ),
    )
    svg = lineage_svg(graph)
    lines = re.findall(r'<line class="edge (\w+)" x1="(\d+)" y1="\d+" x2="(\d+)"', svg)
    assert [kind for kind, *_ in lines] == ["parent", "parent", "parent", "source"]
    assert all(int(x1) < int(x2) for _, x1, x2 in lines)
    assert svg.count('<g class="node') == 4 and "deleted &lt;then&gt;" in svg
    assert "x" * 60 not in svg.split("</title>")[-1]  # long labels are cut in the box
    with pytest.raises(ValueError, match="names no node"):
        LineageGraph(root="c@1", nodes=graph.nodes[:1], edges=graph.edges[:1])


@pytest.mark.parametrize(
    ("name", "verdict"),
    [
        ("reason", True), ("chosen_score", True), ("score_1", True), ("pass_rate", True),
        ("error_type", True), ("label", True), ("finish_reason", True), ("question", False),
        ("prompt", False), ("answer", False), ("problem_id", False),
    ],
)  # fmt: skip
def test_verdict_columns(name: str, verdict: bool) -> None:
    assert is_verdict_column(name) is verdict


@pytest.mark.parametrize(
    ("total", "count", "indices"),
    [(10, 3, [0, 3, 6]), (2, 5, [0, 1]), (0, 3, []), (7, 0, []), (5, 5, [0, 1, 2, 3, 4])],
)
def test_spread_indices(total: int, count: int, indices: list[int]) -> None:
    assert spread_indices(total, count) == indices
