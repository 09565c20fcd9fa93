"""Curation is stored under its inputs' key: a rerun reuses it instead of running the sandbox."""

from __future__ import annotations

from pathlib import Path

import pytest

from datagen.catalog.work_cache import WorkCache
from datagen.flows.stages import write_shards
from datagen.flows.tear_steps import SCHEMAS, curate_tasks
from datagen.generators.tear.complexity import Band

FUNCTIONS = [
    {"function_id": "square", "source": "test", "entry_point": "square",
     "code": "def square(x):\n    return x * x\n", "inputs": ["(3,)", "(-2,)"]},
    {"function_id": "half", "source": "test", "entry_point": "half",
     "code": "def half(x):\n    return 10 // x\n", "inputs": ["(5,)", "(0,)"]},
    {"function_id": "noisy", "source": "test", "entry_point": "noisy",
     "code": "import random\ndef noisy(x):\n    return random.random()\n", "inputs": ["(1,)"]},
]  # fmt: skip
BAND = Band(max_ast_nodes=100, max_depth=2, max_trace_steps=40)


def _entries(work: Path) -> dict[str, int]:
    """Finished curation entries: key → mtime of its data file."""
    return {p.parent.name: p.stat().st_mtime_ns for p in work.glob("tear-curate/*/data.parquet")}


def _curate(work: Path, functions: list[dict], **overrides):
    shards = write_shards(WorkCache(work), stage="tear-functions", schema_id=SCHEMAS["function"],
                          records=functions, shard_size=2)  # fmt: skip
    settings = {"band": BAND, "max_output_chars": 200, "dedup_threshold": 0.95} | overrides
    return curate_tasks.fn(functions=shards, cache_root=work, **settings)


@pytest.fixture(scope="module")
def work(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("work")


@pytest.fixture(scope="module")
def first(work: Path):
    return _curate(work, FUNCTIONS)


def test_the_first_run_computes_and_stores(first, work: Path) -> None:
    assert not first.resumed
    assert [t["task_id"] for t in first.shard.records()] == [
        "square:0:code", "square:1:code", "half:0:code",
    ]  # fmt: skip
    counts = {c.stage: (c.n_in, c.n_out) for c in first.counts}
    assert counts["static_filter"] == (3, 2) and counts["execute"] == (4, 3)
    assert first.reasons == {"static_filter: disallowed_import": 1, "execute: execution_error": 1}
    assert len(_entries(work)) == 1


def test_a_rerun_reuses_the_stored_curation_untouched(first, work: Path) -> None:
    before = _entries(work)
    again = _curate(work, FUNCTIONS)
    assert again.resumed
    assert _entries(work) == before  # nothing rewritten, no new entry
    assert (again.shard.path, again.shard.sha256) == (first.shard.path, first.shard.sha256)
    assert (again.counts, again.reasons) == (first.counts, first.reasons)


@pytest.mark.parametrize(
    ("functions", "overrides"),
    [
        (FUNCTIONS[:2], {}),  # another source, or --limit
        ([FUNCTIONS[0] | {"inputs": ["(3,)"]}, *FUNCTIONS[1:]], {}),  # --inputs-per-function
        (FUNCTIONS, {"max_output_chars": 1}),
        (FUNCTIONS, {"band": Band(max_ast_nodes=100, max_depth=2, max_trace_steps=2)}),
        (FUNCTIONS, {"dedup_threshold": 0.5}),
    ],
)
def test_other_inputs_or_config_compute_anew(first, work: Path, functions, overrides) -> None:
    before = _entries(work)
    other = _curate(work, functions, **overrides)
    assert not other.resumed
    assert other.shard.path != first.shard.path
    after = _entries(work)
    assert len(after) == len(before) + 1 and all(after[k] == v for k, v in before.items())


def test_a_damaged_entry_is_computed_again(tmp_path: Path) -> None:
    done = _curate(tmp_path, FUNCTIONS[:1])
    records = done.shard.records()
    (done.shard.path.parent / "meta.json").unlink()  # damaged: the entry is unreadable
    redone = _curate(tmp_path, FUNCTIONS[:1])
    assert not redone.resumed
    assert redone.shard.records() == records and len(records) == 2
