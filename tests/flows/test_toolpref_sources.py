"""One ToolPref run over five sources in five layouts, on the named fake engine."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from datagen.catalog import Catalog, Store

from .conftest import datagen

LAYOUTS = Path(__file__).parents[1] / "toolpref" / "data"
SOURCES = [
    LAYOUTS / name
    for name in (
        "xlam.jsonl",
        "apigen_mt.jsonl",
        "glaive.jsonl",
        "hermes_sharegpt.jsonl",
        "toolace.jsonl",
    )
]


def test_five_layouts_in_one_run_publish_tasks_of_every_source(tmp_path: Path) -> None:
    sources = ",".join(map(str, SOURCES))
    datagen(
        *("run", "toolpref", "--engine", "fake:toolpref", "--source", sources),
        # the ground truth as a candidate: under ToolRM's all-or-nothing rule the fake's answers
        # to a source's few tasks may all be wrong, and then the source would have no pair
        *("--limit", "20", "--samples", "4", "--shard-size", "8", "--ground-truth-candidate"),
        store=tmp_path,
        timeout=300,
    )
    catalog = Catalog(Store(tmp_path))
    shown = catalog.show("toolpref-pairwise@latest")
    lineage = {entry["ref"] for entry in shown["lineage"] if entry["kind"] == "source"}
    assert {path.name for path in SOURCES} <= lineage
    rows = catalog.read("toolpref-pairwise@latest").to_pylist()
    assert {row["source"] for row in rows} == {path.name for path in SOURCES}
    assert shown["params"]["source"] == [str(path) for path in SOURCES]


def test_a_target_fills_source_by_intensity_groups_evenly(tmp_path: Path) -> None:
    sources = ",".join(map(str, SOURCES))
    datagen(
        *("run", "toolpref", "--engine", "fake:toolpref", "--source", sources, "--orders", "swap"),
        *("--limit", "20", "--samples", "4", "--ground-truth-candidate", "--target-pairs", "10"),
        store=tmp_path,
        timeout=300,
    )
    catalog = Catalog(Store(tmp_path))
    shown = catalog.show("toolpref-pairwise@latest")
    rows = catalog.read("toolpref-pairwise@latest").to_pylist()
    assert len(rows) == len({row["pair_id"] for row in rows}) == 10  # swap: a row per pair
    labels = Counter(row["label"] for row in rows)
    assert labels[1] == labels[2] == 5
    groups = Counter((row["source"], row["intensity"]) for row in rows)
    assert max(groups.values()) - min(groups.values()) <= 1 or len(groups) < 10
    balance = shown["stats"]["balance"]
    assert balance["note"].startswith("target 10: kept 10")
    assert sum(balance["after"].values()) == 10


def test_a_literal_layout_publishes_on_the_embedded_engine(tmp_path: Path) -> None:
    """Hermes-FC-v1's layout on the real embedded model: the sampled answers are mostly wrong,
    the ground-truth candidate is right, so the difficulty filter keeps the tasks."""
    datagen(
        *("run", "toolpref", "--source", str(LAYOUTS / "hermes_sharegpt.jsonl"), "--limit", "3"),
        *("--samples", "2", "--max-tokens", "48", "--ground-truth-candidate"),
        store=tmp_path,
        timeout=600,
    )
    catalog = Catalog(Store(tmp_path))
    rows = catalog.read("toolpref-pairwise@latest").to_pylist()
    assert rows and {row["source"] for row in rows} == {"hermes_sharegpt.jsonl"}
    engines = {e["ref"] for e in catalog.show("toolpref-pairwise@latest")["lineage"]}
    assert "engine:embedded" in engines
