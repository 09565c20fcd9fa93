"""TeaR from seed topics, in both variants, on the embedded model through the real CLI.

The model writes the functions and their calls, the sandbox decides their outputs, the model
describes each kept function, and the rerun of the same command recomputes nothing.
"""

from __future__ import annotations

import ast
from collections import Counter
from pathlib import Path

import pytest

from datagen.catalog import Catalog, Store
from datagen.schemas import first_error
from datagen.verifiers.sandbox import ExecutionJob, Sandbox

from .test_tear_cli import datagen

pytestmark = pytest.mark.slow

TOPICS = """# --limit 3 keeps the first three
summing the digits of a number
reversing the order of the words in a sentence
the product of all odd numbers in a list
checking whether a list is sorted
"""
RUN = ["run", "tear", "--limit", "3", "--inputs-per-function", "2", "--samples", "1",
       "--max-tokens", "12", "--min-pass-rate", "0", "--shard-size", "4"]  # fmt: skip
STAGES = ("tear-write", "tear-execute", "tear-describe", "tear-solve")


def _entries(store: Path) -> dict[str, int]:
    return {
        str(p.parent.relative_to(store)): p.stat().st_mtime_ns
        for stage in STAGES
        for p in (store / "_work" / stage).glob("*/data.parquet")
    }


@pytest.fixture(scope="module")
def store(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("tear-seeds")
    topics = root / "topics.txt"
    topics.write_text(TOPICS)
    done = datagen(*RUN, "--source", f"seeds:{topics}", store=root)
    assert done.returncode == 0, done.stderr[-3000:]
    assert "published tear@1" in done.stdout
    return root


def test_counts_follow_each_function_from_topic_to_task(store: Path) -> None:
    shown = Catalog(Store(store)).show("tear@1")
    counts = {c["stage"]: c for c in shown["stage_counts"]}
    assert list(counts)[:4] == ["source", "write", "decontaminate", "static_filter"]
    assert (counts["source"]["n_in"], counts["source"]["n_out"]) == (4, 3)  # --limit 3 topics
    write = counts["write"]
    assert write["n_in"] == 3 and write["n_out"] + write["n_quarantined"] == 3
    clean = counts["decontaminate"]  # written functions checked against HumanEval
    assert clean["n_in"] == write["n_out"] and clean["n_out"] + clean["n_filtered"] == clean["n_in"]
    assert counts["static_filter"]["n_in"] == clean["n_out"] >= 1
    kept = {r["function_id"] for r in Catalog(Store(store)).read("tear@1").to_pylist()}
    assert counts["describe"]["n_in"] >= len(kept)  # every function that kept a task
    curated = counts["trace_band"]["n_out"]
    assert counts["tasks"]["n_in"] == 2 * curated  # each curated task in both variants
    assert curated < counts["tasks"]["n_out"] <= 2 * curated  # some functions described
    assert counts["solve"]["n_in"] == counts["tasks"]["n_out"]
    roles = [
        line["details"]["role"] for line in shown["lineage"] if line["ref"].startswith("engine")
    ]
    assert sorted(roles) == ["describer", "solver", "writer"]
    assert all(
        q["stage"] in {"write", "describe", "tasks", "solve", "rl"} for q in shown["quarantine"]
    )


def test_rows_hold_both_variants_with_the_sandbox_ground_truth(store: Path) -> None:
    rows = Catalog(Store(store)).read("tear@1").to_pylist()
    assert {r["variant"] for r in rows} == {"code", "description"}
    stats = Catalog(Store(store)).show("tear@1")["stats"]
    assert stats["variants"] == dict(Counter(r["variant"] for r in rows))
    assert {r["source"] for r in rows} == {"seeds"}
    with Sandbox() as sandbox:
        results = sandbox.run_batch([
            ExecutionJob(id=i, code=r["code"], entry_point=r["entry_point"], args=_args(r["call"]))
            for i, r in enumerate(rows)
        ])  # fmt: skip
    for row, result in zip(rows, results, strict=True):
        assert first_error("tear/rl.v2", row) is None
        assert result.status == "ok" and result.output == row["expected"], row["call"]
        content = row["prompt"][0]["content"]
        assert f"`{row['call']}`" in content
        if row["variant"] == "description":
            assert row["description"].startswith(row["entry_point"] + "(")
            assert row["description"] in content and "def " not in content
            assert row["task_id"].endswith(":description")
        else:
            assert row["code"].strip() in content and row["description"] is None


def _args(call: str) -> tuple:
    """The literal arguments of ``f(1, 'a')``."""
    node = ast.parse(call, mode="eval").body
    assert isinstance(node, ast.Call)
    return tuple(ast.literal_eval(arg) for arg in node.args)


def test_a_rerun_recomputes_nothing_and_publishes_the_same_rows(store: Path) -> None:
    before = _entries(store)
    assert {key.split("/")[1] for key in before} == set(STAGES)
    topics = store / "topics.txt"
    done = datagen(*RUN, "--source", f"seeds:{topics}", store=store)
    assert done.returncode == 0, done.stderr[-3000:]
    assert "published tear@2" in done.stdout
    assert "execute: 1 of 1 shards resumed from the store" in done.stderr
    assert _entries(store) == before, "finished work was recomputed"
    catalog = Catalog(Store(store))
    assert catalog.show("tear@2")["content_hash"] == catalog.show("tear@1")["content_hash"]
