"""One ToolPref run over five sources in five layouts, on the named fake engine."""

from __future__ import annotations

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
        *("run", "toolpref", "--engine", "fake:toolpref", "--source", sources, "--every-turn"),
        # 8 samples: under ToolRM's all-or-nothing rule the fake's 4 answers to each of xlam's
        # two tasks are all wrong, and then xlam would have no pair
        *("--limit", "20", "--samples", "8", "--shard-size", "8"),
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
