"""TeaR end to end on the embedded model, through the real CLI, catalog and exports."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from datagen.catalog import Catalog, Store
from datagen.schemas import first_error
from datagen.verifiers.answer_match import answer_match
from datagen.verifiers.rewards import compute_score

DATA = Path(__file__).parent / "data"
RUN = ["run", "tear", "--samples", "2", "--min-pass-rate", "0", "--max-tokens", "12",
       "--variants", "code"]  # fmt: skip
"""The code variant only: test_tear_seeds.py runs the description variant."""


def datagen(*args: str, store: Path, timeout: float = 600) -> subprocess.CompletedProcess:
    """Run the real ``datagen`` command line in a fresh process."""
    return subprocess.run(
        [sys.executable, "-m", "datagen.flows.cli", *args],
        env=os.environ | {"DATAGEN_STORE": str(store)},
        capture_output=True, text=True, timeout=timeout, check=False,
    )  # fmt: skip


@pytest.fixture(scope="module")
def store(tmp_path_factory) -> Path:
    """A store holding ``tear@1`` from one run on the local JSONL source."""
    root = tmp_path_factory.mktemp("tear-store")
    done = datagen(*RUN, "--source", str(DATA / "functions.jsonl"), store=root)
    assert done.returncode == 0, done.stderr[-3000:]
    assert "published tear@1" in done.stdout
    return root


def test_every_filter_is_counted_and_the_rows_are_valid(store: Path) -> None:
    shown = Catalog(Store(store)).show("tear@1")
    counts = {c["stage"]: c for c in shown["stage_counts"]}
    expected = {  # stage: (in, out, filtered, quarantined)
        "source": (8, 7, 0, 1),  # no-inputs is quarantined
        "static_filter": (7, 5, 2, 0),  # noisy imports random; broken does not parse
        "complexity_band": (5, 5, 0, 0),
        "dedup": (5, 4, 1, 0),  # plus repeats add
        "execute": (7, 6, 1, 0),  # div(0) raises
        "determinism": (6, 6, 0, 0),
        "output_length": (6, 5, 1, 0),  # wide(500) prints 500 numbers
        "trace_band": (5, 5, 0, 0),
        "tasks": (5, 5, 0, 0),
        "solve": (10, 10, 0, 0),
    }
    for stage, numbers in expected.items():
        c = counts[stage]
        assert (c["n_in"], c["n_out"], c["n_filtered"], c["n_quarantined"]) == numbers, stage
    assert list(counts)[-2:] == ["difficulty_filter", "balance"]
    assert counts["difficulty_filter"]["n_in"] == 5
    assert counts["balance"]["n_out"] == shown["row_count"] > 0
    stats = shown["stats"]
    assert stats["filter_reasons"]["dedup: duplicate_code"] == 1
    assert stats["filter_reasons"]["execute: execution_error"] == 1
    assert set(stats["complexity"]) == {"AST nodes", "nesting depth", "trace steps",
                                        "data structures"}  # fmt: skip

    rows = Catalog(Store(store)).read("tear@1").to_pylist()
    by_call = {r["call"]: r for r in rows}
    truth = {"add(1, 2)": "3", "add(30, 12)": "42", "rev('abc')": "'cba'",
             "rev('hello')": "'olleh'", "div(5)": "2"}  # fmt: skip
    assert set(by_call) <= set(truth)
    for call, row in by_call.items():
        assert first_error("tear/rl.v2", row) is None
        assert row["expected"] == truth[call]
        assert answer_match(f"Answer: {truth[call]}", row["expected"]).passed
        assert 0.0 <= row["pass_rate"] <= 0.99 and row["n_samples"] == 2
        assert call in row["prompt"][0]["content"]
        assert row["variant"] == "code" and row["task_id"].endswith(":code")


@pytest.mark.parametrize(("fmt", "view"), [("verl", None), ("trl", "critique")])
def test_export_for_trainers_with_the_tear_reward(store: Path, tmp_path: Path, fmt, view) -> None:
    out = tmp_path / "out"
    args = ["export", "tear@latest", "--format", fmt, "--out", str(out), "--split", "train=1"]
    done = datagen(*args, *(["--view", view] if view else []), store=store)
    assert done.returncode == 0, done.stderr[-2000:]
    rows = [r for path in sorted(out.glob("*.parquet")) for r in pq.read_table(path).to_pylist()]
    assert rows and {r["data_source"] for r in rows} == {"tear"}
    for row in rows:
        truth = row["reward_model"]["ground_truth"] if fmt == "verl" else row["ground_truth"]
        assert compute_score("tear", f"Answer: {truth}", truth) == 1.0
        assert compute_score("tear", "Answer: 'certainly not this'", truth) == 0.0


def test_a_run_that_filters_everything_publishes_nothing_and_exits_3(tmp_path: Path) -> None:
    done = datagen(*RUN, "--source", str(DATA / "only_impure.jsonl"), store=tmp_path)
    assert done.returncode == 3, done.stderr[-2000:]
    assert "nothing to publish for tear" in done.stderr
    assert Catalog(Store(tmp_path)).list_datasets() == []


@pytest.mark.parametrize("variants", ["pictures", "code,pictures", ","])
def test_unknown_variants_are_refused_before_anything_runs(tmp_path: Path, variants: str) -> None:
    done = datagen("run", "tear", "--variants", variants, store=tmp_path, timeout=120)
    assert done.returncode == 2, done.stderr[-2000:]
    message = " ".join(done.stderr.replace("│", " ").split())  # rich boxes and wraps it
    assert "comma-separated subset of code, description" in message
    assert not (tmp_path / "_prefect").exists() and not (tmp_path / "_work").exists()
