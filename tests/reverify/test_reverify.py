"""Re-verification: hand-made versions whose stored scores the installed verifiers disagree
with for exactly some rows; ``datagen catalog reverify`` drops and counts exactly those."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from datagen.catalog import Catalog, Store
from datagen.flows.cli import app
from datagen.generators.reverify import NotReverifiableError, reverifier_for
from datagen.generators.tear.reverify import reverify_tasks
from datagen.generators.toolpref.critique_rows import CRITIQUE_SCHEMA
from datagen.generators.toolpref.reverify import reverify_critique
from datagen.generators.trbench.reverify import reverify_bench
from datagen.schemas import first_error
from tests.export.handmade import publish_example
from tests.flows.conftest import datagen
from tests.reverify.handmade import (
    BENCH_CHANGED,
    CHANGED,
    PARAMS,
    TEAR_ROWS,
    bench_rows,
    publish_rows,
    toolpref_rows,
)


def _publish_toolpref(store: Store) -> str:
    return publish_rows(
        store,
        dataset="toolpref-pairwise",
        schema_id=CRITIQUE_SCHEMA,
        rows=toolpref_rows(),
        params=PARAMS,
    )


def test_toolpref_reverify_drops_and_counts_exactly_the_changed_verdicts(tmp_path: Path) -> None:
    store = Store(tmp_path / "store")
    parent = _publish_toolpref(store)
    done = datagen("catalog", "reverify", parent, store=store.root, timeout=300)
    assert "published toolpref-pairwise@2 from toolpref-pairwise@1: 3 rows" in done.stdout
    assert "changed verdicts: gap_below_margin 1, label_flipped 1, rescored 1" in done.stdout
    assert "balancing not redone" in done.stderr  # the run report
    assert "| label_flipped | 1 |" in done.stderr
    catalog = Catalog(store)
    shown = catalog.show("toolpref-pairwise@2")
    assert shown["stats"]["reverify"] == {
        "from": parent,
        "rows_in": 5,
        "kept": 3,
        "changed": CHANGED,
        "balancing": "not redone",
    }
    rows = {r["row_id"]: r for r in catalog.read("toolpref-pairwise@2").to_pylist()}
    assert sorted(rows) == ["agree#1", "agree#2", "moved#2"]
    moved = rows["moved#2"]  # the rejected response shown first, its score now 0.0
    assert (moved["score_1"], moved["score_2"], moved["intensity"]) == (0.0, 1.0, "0.9-1.0")
    assert "its rule-based score is 0.00" in moved["answer"]
    assert moved["answer"].endswith("<choice>\n2\n</choice>")
    assert first_error(CRITIQUE_SCHEMA, moved) is None
    dropped = catalog.quarantined("toolpref-pairwise@2").to_pylist()
    reasons = {q["record_id"]: q["reason"] for q in dropped}
    assert sorted(reasons) == ["flipped#1", "narrow#1"]
    assert reasons["flipped#1"].startswith(
        "label_flipped: label 1: stored 0.90/0.10, now 0.00/1.00"
    )
    assert reasons["narrow#1"].startswith("gap_below_margin: label 1: stored 1.00/0.00, now 0.50/0")
    assert shown["stage_counts"][0] == {
        "stage": "reverify", "n_in": 5, "n_out": 3, "n_filtered": 0, "n_quarantined": 2
    }  # fmt: skip
    assert [(e["kind"], e["ref"]) for e in shown["lineage"]] == [("parent", parent)]
    assert shown["params"]["reverified_from"] == parent
    assert shown["params"]["parent_code_version"] == "handmade"
    assert shown["params"]["rule"] == "toolrm"  # the parent's, so a second reverify reads them


def test_rows_that_all_still_qualify_are_kept_unchanged() -> None:
    rows = [r for r in toolpref_rows() if r["pair_id"] == "agree"]
    done = reverify_critique(rows, schema_id=CRITIQUE_SCHEMA, params=PARAMS)
    assert done.changed == {} and done.outcome.records == rows


def test_the_bfcl_rule_of_the_version_is_the_one_applied() -> None:
    """Under BFCL's graded rule "narrow" (0.80 vs 0.0 now) clears the margin but is rescored."""
    rows = [r for r in toolpref_rows() if r["pair_id"] == "narrow"]
    done = reverify_critique(rows, schema_id=CRITIQUE_SCHEMA, params=PARAMS | {"rule": "bfcl"})
    assert done.changed == {"rescored": 1}
    assert done.outcome.records[0]["score_1"] == pytest.approx(0.79875)


def test_trbench_reverify_keeps_rows_whose_answer_bfcl_still_rejects() -> None:
    done = reverify_bench(bench_rows(), schema_id="trbench/critique.v1", params={})
    assert done.changed == BENCH_CHANGED
    assert [r["row_id"] for r in done.outcome.records] == ["kept#1", "kept#2", "retyped#1"]
    assert done.outcome.records[:2] == bench_rows()[:2]  # agreed: untouched
    retyped = done.outcome.records[2]
    assert (retyped["score_2"], retyped["error_type"]) == (0.6975, "value_error:string")
    assert first_error("trbench/critique.v1", retyped) is None
    reasons = {q.record_id: q.reason for q in done.outcome.quarantined}
    assert sorted(reasons) == ["accepted#1", "truth-wrong#2"]
    assert reasons["accepted#1"] == "rejected_now_accepted: was value_error:string"
    assert reasons["truth-wrong#2"].startswith("ground_truth_rejected: parameter 'days'")


def test_tear_reverify_reexecutes_each_call_in_the_sandbox() -> None:
    done = reverify_tasks(TEAR_ROWS, schema_id="tear/rl.v2", params={"max_output_chars": 200})
    assert [r["task_id"] for r in done.outcome.records] == ["double-3", "double-list"]
    assert done.changed == {"output_changed": 1, "execution_failed": 1}
    reasons = {q.record_id: q.reason for q in done.outcome.quarantined}
    assert reasons["double-4"] == "output_changed: double(4) was '9', now '8'"
    assert reasons["boom-1"].startswith("execution_failed: execution_error")
    assert done.outcome.reasons == {"reverify: output_changed": 1, "reverify: execution_failed": 1}


def test_rows_without_what_re_verification_needs_get_a_clear_error(tmp_path: Path) -> None:
    store = Store(tmp_path / "store")
    with pytest.raises(NotReverifiableError, match=r"critique.v1\) do not hold the ground-truth"):
        reverify_critique(toolpref_rows(), schema_id="toolpref/critique.v1", params=PARAMS)
    with pytest.raises(NotReverifiableError, match="rows do not hold the engine's answers"):
        reverifier_for("example", "example/rl.v1")
    with pytest.raises(NotReverifiableError, match="no recipe declares how its rows"):
        reverifier_for("a2search-trajectories", "a2search/trajectory.v1")
    example = publish_example(store)
    done = CliRunner().invoke(app, ["catalog", "reverify", example, "--store", str(store.root)])
    assert done.exit_code == 2
    assert "'example' cannot be re-verified: its rows do not hold" in done.output
    assert [v.version for v in Catalog(store).list_versions("example")] == [1]
