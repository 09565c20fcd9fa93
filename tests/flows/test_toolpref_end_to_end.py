"""ToolPref-Pairwise end to end on the embedded model, through the real CLI and catalog."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import datasets
import pyarrow.parquet as pq

from datagen.catalog import Catalog, Store
from datagen.schemas import first_error
from datagen.verifiers.critique import critique_reward

from .conftest import datagen


def test_the_run_publishes_exactly_balanced_valid_critique_rows(reference_store: Path) -> None:
    catalog = Catalog(Store(reference_store))
    info = catalog.resolve("toolpref-pairwise@latest")
    assert info.version == 1 and info.schema_id == "toolpref/critique.v2"
    rows = catalog.read("toolpref-pairwise@1").to_pylist()
    assert rows, "the reference run must publish rows"
    assert Counter(r["label"] for r in rows) == {1: len(rows) // 2, 2: len(rows) // 2}
    pairs = Counter(r["pair_id"] for r in rows)
    assert set(pairs.values()) == {2}, "every pair appears in both orders"
    for row in rows:
        assert first_error("toolpref/critique.v2", row) is None
        assert (row["mode"], row["parser"]) == ("think", "strict")
        assert critique_reward(row["answer"], row["label"], parser="strict").value == 1.0
        assert [m["role"] for m in row["prompt"]] == ["user"]
        assert isinstance(json.loads(row["ground_truth"]), list)
        better, worse = (
            (row["score_1"], row["score_2"])
            if row["label"] == 1
            else (row["score_2"], row["score_1"])
        )
        assert better > worse
        assert row["response_1"] != row["response_2"]


def test_stage_counts_add_up_and_bad_source_rows_are_quarantined(reference_store: Path) -> None:
    shown = Catalog(Store(reference_store)).show("toolpref-pairwise@1")
    counts = {c["stage"]: c for c in shown["stage_counts"]}
    assert list(counts) == [
        "source",
        "decontaminate",  # a file source, checked against BFCL's bench part
        "generate",
        "score",
        "difficulty_filter",
        "pair",
        "balance",
        "critique",
    ]
    for c in counts.values():
        assert c["n_in"] == c["n_out"] + c["n_filtered"] + c["n_quarantined"]
    assert counts["source"]["n_quarantined"] == 2  # the empty tool list and the non-JSON line
    assert counts["generate"]["n_in"] == counts["source"]["n_out"] * 3
    reasons = {q["reason"].split(":")[0] for q in shown["quarantine"]}
    assert reasons == {"empty_tools", "invalid_json"}
    assert counts["critique"]["n_out"] == shown["row_count"]


def test_the_run_report_reaches_the_terminal(reference_run) -> None:
    store, done = reference_run
    shown = Catalog(Store(store)).show("toolpref-pairwise@1")
    critique = next(c for c in shown["stage_counts"] if c["stage"] == "critique")
    assert "# toolpref-pairwise: run report" in done.stderr
    assert f"| critique | {critique['n_in']} | {critique['n_out']} |" in done.stderr
    assert f"rows: {shown['row_count']} (paper: 30,000)" in done.stderr
    assert "rejected score: " in done.stderr and "(paper: 0-0.97)" in done.stderr


def test_lineage_records_source_engine_and_parameters(reference_store: Path) -> None:
    shown = Catalog(Store(reference_store)).show("toolpref-pairwise@1")
    refs = {entry["ref"] for entry in shown["lineage"]}
    assert {"tools_openai.jsonl", "engine:embedded"} <= refs
    assert shown["params"]["samples"] == 3 and shown["params"]["seed"] == 0
    assert shown["params"]["sampling_plan"]["tool_orders"] == ["given", "shuffled"]
    assert shown["flow_run_id"] and shown["code_version"].startswith("0.1.0+")


def test_candidates_record_their_sampling_dimensions(reference_store: Path) -> None:
    scored = list((reference_store / "_work" / "toolpref-score").glob("*/data.parquet"))
    candidates = [c for path in scored for c in pq.read_table(path).to_pylist()]
    assert candidates
    for c in candidates:
        assert c["engine"] == "embedded" and c["prompt_variant"] in {"direct", "careful"}
        assert c["tool_order"] in {"given", "shuffled"} and c["temperature"] in {0.7, 1.0}
        assert 0.0 <= c["score"] <= 1.0 and c["reason"]
    assert len({(c["temperature"], c["prompt_variant"], c["tool_order"]) for c in candidates}) > 2


def test_cli_catalog_commands_and_hf_export(reference_store: Path, tmp_path: Path) -> None:
    listed = datagen("catalog", "ls", store=reference_store).stdout
    assert "toolpref-pairwise" in listed
    shown = json.loads(
        datagen(
            "catalog", "show", "toolpref-pairwise@latest", "--json", store=reference_store
        ).stdout
    )
    assert shown["version"] == 1
    sql = datagen(
        "catalog", "sql", "select count(*) as n from toolpref_pairwise", store=reference_store
    ).stdout
    assert str(shown["row_count"]) in sql
    out = tmp_path / "hf"
    datagen(
        "export",
        "toolpref-pairwise@latest",
        "--format",
        "hf",
        "--out",
        str(out),
        store=reference_store,
    )
    loaded = datasets.load_from_disk(str(out))
    assert len(loaded) == shown["row_count"]
    assert sorted(set(loaded["label"])) == [1, 2]


def test_unknown_dataset_and_version_are_clear_errors(reference_store: Path) -> None:
    missing = datagen("catalog", "show", "no-such-data@latest", store=reference_store, check=False)
    assert missing.returncode == 1 and "unknown dataset 'no-such-data'" in missing.stderr
    assert "toolpref-pairwise" in missing.stderr
    bad_version = datagen(
        "catalog", "show", "toolpref-pairwise@9", store=reference_store, check=False
    )
    assert bad_version.returncode == 1 and "existing versions: 1" in bad_version.stderr
