"""TRBench-BFCL end to end on the embedded model, through the real CLI and catalog: one small
run (4 bench tasks, one short sample each); the pairing logic is tested on the fake engine in
``tests/trbench``."""

from __future__ import annotations

import json
import subprocess
from collections import Counter
from pathlib import Path

import pytest

from datagen.catalog import Catalog, Store
from datagen.generators.toolpref.score import task_calls
from datagen.generators.toolpref.sources import read_source
from datagen.generators.views import view_function
from datagen.schemas import first_error

from .conftest import datagen

RUN_ARGS = ["--limit", "4", "--samples", "1", "--max-tokens", "32", "--shard-size", "2"]


@pytest.fixture(scope="module")
def bench_run(tmp_path_factory) -> tuple[Path, subprocess.CompletedProcess]:
    store = tmp_path_factory.mktemp("trbench-store")
    return store, datagen("run", "trbench", *RUN_ARGS, store=store)


@pytest.mark.slow
def test_the_run_publishes_ground_truth_against_rejected_answers(bench_run) -> None:
    store, _ = bench_run
    catalog = Catalog(Store(store))
    info = catalog.resolve("trbench-bfcl@latest")
    assert (info.version, info.schema_id) == (1, "trbench/critique.v1")
    rows = catalog.read("trbench-bfcl@1").to_pylist()
    assert rows and Counter(r["label"] for r in rows) == {1: len(rows) // 2, 2: len(rows) // 2}
    assert set(Counter(r["pair_id"] for r in rows).values()) == {2}
    tasks = {t["task_id"]: t for t in read_source("bfcl:bench").records}
    for row in rows:
        assert first_error("trbench/critique.v1", row) is None
        chosen = 1 if row["label"] == 1 else 2
        assert json.loads(row[f"response_{chosen}"]) == task_calls(tasks[row["task_id"]])
        assert row["error_type"] and row["category"] == tasks[row["task_id"]]["category"]
    view = view_function("trbench-bfcl", "rl")(rows)
    assert {v["extra_info"]["error_type"] for v in view} == {r["error_type"] for r in rows}


@pytest.mark.slow
def test_the_report_counts_pairs_per_category_and_error_types(bench_run) -> None:
    store, done = bench_run
    shown = Catalog(Store(store)).show("trbench-bfcl@1")
    stages = [c["stage"] for c in shown["stage_counts"]]
    assert stages == ["source", "ground_truth", "generate", "score", "pair", "critique"]
    assert all(c["n_in"] == c["n_out"] + c["n_filtered"] + c["n_quarantined"]
               for c in shown["stage_counts"])  # fmt: skip
    assert shown["stats"]["pairs"] * 2 == shown["row_count"]
    assert "## pairs by category" in done.stderr
    assert "## rejected answers by BFCL error type" in done.stderr
    assert any(e["ref"] == "bfcl" and e["details"]["part"] == "bench" for e in shown["lineage"])
