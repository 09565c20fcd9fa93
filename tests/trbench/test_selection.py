"""TRBench-BFCL's stages on real bfcl:bench tasks and ``FakeScriptedEngine`` (``fake:toolpref``):
the ground truth against answers BFCL rejects, both orders, error types, the rl view."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from datagen.generators.engines import open_engine
from datagen.generators.sampling import SamplingPlan
from datagen.generators.toolpref.critique_rows import CritiqueConfig
from datagen.generators.toolpref.generate import GenerationConfig, generate_stage
from datagen.generators.toolpref.pipeline import ShardInputs, score_stage
from datagen.generators.toolpref.score import task_calls, task_checker
from datagen.generators.toolpref.sources import interleave_sources, read_source
from datagen.generators.toolpref.views import BENCH_VIEWS
from datagen.generators.trbench.pairs import concrete_stage
from datagen.generators.trbench.select import TRBENCH_SCHEMA, BenchSelection, Selector
from datagen.generators.views import view_function
from datagen.schemas import first_error, records_to_table
from datagen.verifiers.critique import critique_reward

SAMPLES = 4


@pytest.fixture(scope="module")
def bench_tasks() -> list[dict]:
    """Two tasks of each BFCL category of the bench part."""
    return interleave_sources(list(read_source("bfcl:bench").records))[:16]


@pytest.fixture(scope="module")
def selected(bench_tasks, tmp_path_factory) -> tuple[BenchSelection, list[dict], list[dict]]:
    """The tasks in two shards, generated, scored and selected: the selection, its rows, the
    scored candidates."""
    work = tmp_path_factory.mktemp("trbench")
    plan = SamplingPlan(engines=("fake:toolpref",), temperatures=(0.7, 1.0), samples_per_task=4)
    config = GenerationConfig(plan=plan, ground_truth_candidate=True)
    selector = Selector(work_dir=work, critique=CritiqueConfig())
    scored = []
    for number, shard in enumerate((bench_tasks[:8], bench_tasks[8:])):
        generated = generate_stage(shard, engines=open_engine, config=config).records
        candidates = score_stage(generated, shard, rule="bfcl").records
        scored += candidates
        paths = [work / f"tasks-{number}.parquet", work / f"candidates-{number}.parquet"]
        pq.write_table(records_to_table("toolpref/task.v1", shard), paths[0])
        pq.write_table(records_to_table("toolpref/candidate.v1", candidates), paths[1])
        selector.add(ShardInputs(*paths))
    selection = selector.finish()
    rows = [r for path in selection.parts for r in pq.read_table(path).to_pylist()]
    return selection, rows, scored


def test_rows_are_valid_and_every_pair_comes_in_both_orders(selected) -> None:
    selection, rows, _ = selected
    assert rows and len(rows) == 2 * selection.pairs
    for row in rows:
        assert first_error(TRBENCH_SCHEMA, row) is None
        assert critique_reward(row["answer"], row["label"], parser="strict").value == 1.0
    assert set(Counter(r["pair_id"] for r in rows).values()) == {2}
    assert selection.labels == {"1": selection.pairs, "2": selection.pairs}


def test_chosen_is_the_concrete_ground_truth_and_rejected_fails_bfcl(selected, bench_tasks) -> None:
    _, rows, scored = selected
    tasks = {t["task_id"]: t for t in bench_tasks}
    candidates = {c["candidate_id"]: c for c in scored}
    for row in rows:
        task = tasks[row["task_id"]]
        chosen, rejected = (1, 2) if row["label"] == 1 else (2, 1)
        assert json.loads(row[f"response_{chosen}"]) == task_calls(task)
        assert row[f"score_{chosen}"] == 1.0
        assert not task_checker(task).check(json.loads(row[f"response_{rejected}"])).valid
        sampled = candidates[row["pair_id"].rpartition(">")[2]]
        assert (sampled["valid"], sampled["error_type"]) == (False, row["error_type"])
        assert row["category"] == task["category"]


def test_rejected_answers_are_distinct_per_task(selected) -> None:
    _, rows, _ = selected
    first_order = [r for r in rows if r["label"] == 1]
    per_task = Counter((r["task_id"], r["response_2"]) for r in first_order)
    assert set(per_task.values()) == {1}


def test_counts_add_up_and_tasks_without_a_pair_have_a_reason(selected, bench_tasks) -> None:
    selection, _, scored = selected
    pair, critique = selection.counts
    assert (pair.n_in, critique.n_in) == (len(bench_tasks), 2 * selection.pairs)
    assert all(c.balanced for c in selection.counts)
    assert pair.n_filtered == sum(selection.no_pair.values())
    rejected = Counter(c["task_id"] for c in scored if not c["valid"])
    assert pair.n_out == len(rejected), "a task pairs exactly when some sample is rejected"
    assert sum(selection.pairs_by_category.values()) == selection.pairs
    assert sum(selection.error_types.values()) == selection.pairs
    assert len(selection.pairs_by_category) >= 4
    assert len(scored) == len(bench_tasks) * (SAMPLES + 1)


def test_tasks_without_a_concrete_ground_truth_are_filtered(bench_tasks) -> None:
    nested_empty = {**bench_tasks[0], "ground_truth": [{"f": {"record": [{"a": []}]}}]}
    outcome = concrete_stage([bench_tasks[0], nested_empty])
    assert outcome.records == [bench_tasks[0]]
    assert outcome.reasons == {"ground_truth: not_concrete": 1}


def test_the_rl_view_keeps_category_and_error_type(selected) -> None:
    _, rows, _ = selected
    assert view_function("trbench-bfcl", "rl") is BENCH_VIEWS["rl"]
    (view_row, *_) = BENCH_VIEWS["rl"](rows)
    assert view_row["data_source"] == "toolpref-pairwise"  # the critique reward
    assert view_row["extra_info"]["error_type"] == rows[0]["error_type"]
    assert view_row["extra_info"]["category"] == rows[0]["category"]
    assert view_row["ground_truth"] == str(rows[0]["label"])


def test_rows_follow_the_tasks_each_pair_label_1_then_2(selected, bench_tasks) -> None:
    selection, rows, _ = selected
    assert all(Path(p).exists() for p in selection.parts)
    pairs = list(dict.fromkeys(r["pair_id"] for r in rows))
    assert [(r["pair_id"], r["label"]) for r in rows] == [(p, n) for p in pairs for n in (1, 2)]
    order = [t["task_id"] for t in bench_tasks]
    task_ids = list(dict.fromkeys(r["task_id"] for r in rows))
    assert task_ids == sorted(task_ids, key=order.index)
