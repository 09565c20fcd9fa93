"""One ToolPref run on the fake engine over a file source that copies a BFCL bench question:
decontamination drops it by default (and another task by ``--decontaminate FILE``), the
report and the version count the drops, and the lineage names both benchmarks."""

from __future__ import annotations

import json
from pathlib import Path

from datagen.catalog import Catalog, Store
from datagen.generators.toolpref.sources import read_bfcl

from .conftest import DATA, datagen

HELD_OUT = "please convert two hundred and fifty british pounds into japanese yen at todays rate"


def test_a_file_source_loses_the_tasks_a_benchmark_holds(tmp_path: Path) -> None:
    lines = (DATA / "tools_openai.jsonl").read_text().splitlines()[:5]  # the sixth is broken
    rows = [json.loads(line) for line in lines]
    bench = read_bfcl(part="bench", categories=["simple_python"]).records[0]
    question = bench["messages"][-1]["content"]
    copied, held_out, clean = rows[0], rows[4], rows[1]
    copied["messages"][0]["content"] = f"  {question.upper()}!! "  # equal once normalised
    held_out["messages"][0]["content"] = f"Hi, {HELD_OUT.title()}."  # 13 shared words and more
    source = tmp_path / "chats.jsonl"
    source.write_text("".join(json.dumps(row) + "\n" for row in (copied, held_out, clean)))
    benchmark = tmp_path / "held-out.jsonl"
    benchmark.write_text(json.dumps({"text": f"{HELD_OUT} and at yesterdays"}) + "\n")
    store = tmp_path / "store"
    done = datagen(
        *("run", "toolpref", "--engine", "fake:toolpref", "--source", str(source)),
        *("--decontaminate", str(benchmark), "--samples", "4", "--ground-truth-candidate"),
        store=store,
        timeout=300,
    )
    assert "| decontaminate | 3 | 1 | 2 | 0 |" in done.stderr
    assert "decontaminate: dropped 2 of 3 against bfcl-bench, held-out.jsonl" in done.stderr
    shown = Catalog(Store(store)).show("toolpref-pairwise@latest")
    counts = {c["stage"]: c for c in shown["stage_counts"]}
    assert (counts["decontaminate"]["n_out"], counts["decontaminate"]["n_filtered"]) == (1, 2)
    benchmarks = {e["ref"]: e for e in shown["lineage"] if e["ref"].startswith("benchmark:")}
    assert set(benchmarks) == {"benchmark:bfcl-bench", "benchmark:held-out.jsonl"}
    assert benchmarks["benchmark:bfcl-bench"]["details"]["part"] == "bench"
    rows = Catalog(Store(store)).read("toolpref-pairwise@latest").to_pylist()
    assert rows and {row["task_id"] for row in rows} == {"chats/3-1"}


def test_a_benchmark_that_is_not_there_stops_the_run_before_any_work(tmp_path: Path) -> None:
    done = datagen(
        *("run", "tear", "--engine", "fake:tear", "--decontaminate", "nowhere.jsonl"),
        store=tmp_path,
        check=False,
        timeout=60,
    )
    assert done.returncode == 2
    assert "--decontaminate 'nowhere.jsonl' is not a file" in done.stderr
    assert not (tmp_path / "catalog.duckdb").exists()
