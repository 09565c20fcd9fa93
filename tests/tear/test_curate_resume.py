"""Execution is a shard stage like any other: a rerun reuses each finished shard, and a change
recomputes only the shards it touches (not the whole curation)."""

from __future__ import annotations

from pathlib import Path

from datagen.catalog.work_cache import WorkCache
from datagen.flows.stages import run_stage, write_shards
from datagen.flows.tear_steps import SCHEMAS, execute_stage
from datagen.generators.tear.recipe import TeaRConfig


def _function(name: str, body: str, *inputs: str) -> dict:
    code = f"def {name}(x):\n    return {body}\n"
    return {
        "function_id": name,
        "source": "test",
        "entry_point": name,
        "code": code,
        "inputs": list(inputs),
    }


FUNCTIONS = [
    _function("square", "x * x", "(3,)", "(-2,)"),
    _function("half", "10 // x", "(5,)", "(0,)"),
    _function("twice", "x + x", "(4,)"),
    _function("neg", "-x", "(1,)"),
]
CONFIG = TeaRConfig(max_trace_steps=40)


def _execute(work: Path, functions: list[dict], config: TeaRConfig = CONFIG) -> list:
    cache = WorkCache(work)
    shards = write_shards(
        cache, stage="tear-screened", schema_id=SCHEMAS["function"], records=functions, shard_size=2
    )
    return [run_stage(execute_stage(config), [shard], work) for shard in shards]


def _entries(work: Path) -> dict[str, int]:
    return {p.parent.name: p.stat().st_mtime_ns for p in work.glob("tear-execute/*/data.parquet")}


def test_each_shard_is_stored_and_reused(tmp_path: Path) -> None:
    first = _execute(tmp_path, FUNCTIONS)
    assert [r.resumed for r in first] == [False, False]
    counts = [{c.stage: (c.n_in, c.n_out) for c in r.counts} for r in first]
    assert counts[0]["execute"] == (4, 3) and counts[1]["execute"] == (2, 2)
    assert first[0].reasons == {"execute: execution_error": 1}  # 10 // 0
    before = _entries(tmp_path)
    again = _execute(tmp_path, FUNCTIONS)
    assert [r.resumed for r in again] == [True, True] and _entries(tmp_path) == before
    assert [r.counts for r in again] == [r.counts for r in first]


def test_a_changed_function_recomputes_only_its_shard(tmp_path: Path) -> None:
    _execute(tmp_path, FUNCTIONS)
    changed = [*FUNCTIONS[:3], _function("neg", "0 - x", "(1,)")]
    results = _execute(tmp_path, changed)
    assert [r.resumed for r in results] == [True, False]


def test_other_run_settings_compute_anew(tmp_path: Path) -> None:
    _execute(tmp_path, FUNCTIONS)
    results = _execute(tmp_path, FUNCTIONS, TeaRConfig(max_trace_steps=40, max_output_chars=1))
    assert [r.resumed for r in results] == [False, False]
