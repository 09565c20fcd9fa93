"""A run killed with SIGKILL resumes exactly; two runs at once both publish; empty runs fail."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from datagen.catalog import Catalog, Store

from .conftest import RUN_ARGS, SOURCE, datagen


def _entries(store: Path, stage: str) -> dict[str, float]:
    """Finished work entries of a stage: key → mtime of its data file. A ``.tmp-`` folder is
    an entry being written (a kill can leave one whole but never renamed): not an entry."""
    return {
        p.parent.name: p.stat().st_mtime_ns
        for p in (store / "_work" / stage).glob("*/meta.json")
        if (p.parent / "data.parquet").exists() and not p.parent.name.startswith(".tmp-")
    }


def _rows(store: Path, ref: str) -> list[dict]:
    return sorted(Catalog(Store(store)).read(ref).to_pylist(), key=lambda r: r["row_id"])


def test_kill_9_during_generation_then_resume_equals_an_uninterrupted_run(
    reference_store: Path, tmp_path: Path
) -> None:
    store = tmp_path / "store"
    env = os.environ | {"DATAGEN_STORE": str(store)}
    process = subprocess.Popen(
        [sys.executable, "-m", "datagen.flows.cli", "run", "toolpref", *RUN_ARGS],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
    )  # fmt: skip
    deadline = time.monotonic() + 600
    while not _entries(store, "toolpref-generate") and time.monotonic() < deadline:
        assert process.poll() is None, "the run ended before it could be killed"
        time.sleep(0.2)
    os.killpg(process.pid, signal.SIGKILL)  # the CLI and Prefect's server with it
    process.wait()
    finished_before = _entries(store, "toolpref-generate")
    total_shards = len(_entries(reference_store, "toolpref-generate"))
    assert 1 <= len(finished_before) < total_shards, "the kill must land mid-generation"
    assert not (store / "toolpref-pairwise").exists(), "nothing may be published by the killed run"

    datagen("run", "toolpref", *RUN_ARGS, store=store)

    after = _entries(store, "toolpref-generate")
    assert len(after) == total_shards
    assert {k: after[k] for k in finished_before} == finished_before, "finished shards recomputed"
    assert _rows(store, "toolpref-pairwise@1") == _rows(reference_store, "toolpref-pairwise@1")


def test_two_runs_at_once_both_publish(copied_store: Path) -> None:
    with ThreadPoolExecutor(2) as pool:
        runs = list(
            pool.map(
                lambda _: datagen("run", "toolpref", *RUN_ARGS, store=copied_store, check=False),
                range(2),
            )
        )
    assert [r.returncode for r in runs] == [0, 0], [r.stderr[-2000:] for r in runs]
    versions = Catalog(Store(copied_store)).list_versions("toolpref-pairwise")
    assert [v.version for v in versions] == [1, 2, 3]
    assert len({v.content_hash for v in versions}) == 1, "resumed runs publish the same rows"


def test_a_run_whose_filters_leave_nothing_publishes_nothing_and_exits_non_zero(
    tmp_path: Path,
) -> None:
    # one sample per task: no task has a right and a wrong candidate, so no pair survives
    # (whatever the engine writes: the named fake spares loading the model)
    done = datagen(
        "run", "toolpref", "--source", str(SOURCE), "--samples", "1", "--limit", "2",
        "--engine", "fake:toolpref", store=tmp_path / "store", check=False,
    )  # fmt: skip
    assert done.returncode == 3
    assert "nothing to publish" in done.stderr and "difficulty_filter" in done.stderr
    assert Catalog(Store(tmp_path / "store")).list_datasets() == []
