"""Selection streamed shard by shard gives exactly what the in-memory selection gave.

``reference_select`` is the in-memory ``select_stage`` the flow used before selection
streamed (all tasks, candidates, pairs and rows as dicts), followed by the flow's schema
validation; ``pipeline.Selector`` fed shard by shard must match it row for row, in order.
"""

from __future__ import annotations

import random
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from datagen.generators.toolpref import pipeline
from datagen.generators.toolpref.critique_rows import CritiqueRows, critique_rows
from datagen.generators.toolpref.pairs import (
    PairingConfig,
    balance_pairs,
    make_pairs,
    uniform_score_tasks,
)
from datagen.schemas import first_error, records_to_table, table_to_records
from datagen.schemas.records import Quarantined, StageCounts

SCORES = [0.0, 0.25, 0.5, 0.75, 1.0, 1.0]


def reference_select(tasks: list[dict], candidates: list[dict], config: PairingConfig) -> dict:
    """The in-memory selection and validation, as the flow ran them before streaming."""
    uniform = uniform_score_tasks(candidates)
    by_task: dict[str, list[dict]] = {}
    for candidate in candidates:
        by_task.setdefault(candidate["task_id"], []).append(candidate)
    with_candidates = [t for t in tasks if t["task_id"] in by_task]
    informative = [t for t in with_candidates if t["task_id"] not in uniform]
    pairs: list[dict] = []
    considered = rejected = 0
    for task in informative:
        own = sorted(by_task[task["task_id"]], key=lambda c: c["sample_index"])
        task_pairs, task_rejected = make_pairs(task, own, config=config)
        considered += len(task_pairs) + task_rejected
        rejected += task_rejected
        pairs += task_pairs
    balanced, report = balance_pairs(pairs, config=config)
    tasks_by_id = {t["task_id"]: t for t in informative}
    rows = [row for pair in balanced for row in critique_rows(pair, tasks_by_id[pair["task_id"]])]
    valid, quarantined = [], []
    for row in rows:
        reason = first_error("toolpref/critique.v1", row)
        if reason is None:
            valid.append(row)
        else:
            quarantined.append(Quarantined(row["row_id"], reason, row))
    n_with, n_inf, n_pairs = len(with_candidates), len(informative), len(pairs)
    return {
        "rows": valid,
        "counts": [
            StageCounts("difficulty_filter", n_with, n_inf, n_with - n_inf),
            StageCounts("pair", considered, n_pairs, rejected),
            StageCounts("balance", n_pairs, len(balanced), n_pairs - len(balanced)),
            StageCounts("critique", 2 * len(balanced), len(valid), 0, len(quarantined)),
        ],
        "quarantined": quarantined,
        "balance": report,
        "labels": {str(label): sum(r["label"] == label for r in valid) for label in (1, 2)},
    }


def synthetic_task(index: int, rng: random.Random) -> tuple[dict, list[dict]]:
    """A task and 0-4 scored candidates; ids sort differently as text and as numbers."""
    task_id = f"{rng.choice(['chats', 'bfcl'])}/{index}-{rng.randint(1, 2)}"
    calls = [
        {f"f{c}": {f"a{k}": [k] for k in range(rng.randint(1, 4))}}
        for c in range(rng.randint(1, 2))
    ]
    task = {
        "task_id": task_id,
        "source": task_id.split("/")[0],
        "category": rng.choice(["simple", "multiple", "parallel"]),
        "messages": [{"role": "user", "content": f"request {index}: ünïcode \u2028 ok"}],
        "tools": [{"name": name, "parameters": {"type": "object"}} for c in calls for name in c],
        "ground_truth": calls,
    }
    candidates = [
        {
            "candidate_id": f"{task_id}#{sample}",
            "task_id": task_id,
            "sample_index": sample,
            "score": 1.5 if rng.random() < 0.01 else rng.choice(SCORES),  # 1.5 breaks the schema
            "response": rng.choice(['[{"f0": 1}]', '[{"f0": 2}]', "not json", "[]"]),
            "reason": rng.choice(["ok", "value_error: a0", "malformed: not_json"]),
        }
        for sample in range(rng.choice([0, 1, 2, 3, 4, 4]))
    ]
    rng.shuffle(candidates)  # shards need not keep sample order
    return task, candidates


def write_shards(tmp_path: Path, n_tasks: int, shard_size: int, seed: int) -> list:
    rng = random.Random(seed)
    made = [synthetic_task(i, rng) for i in range(n_tasks)]
    shards = []
    for number, start in enumerate(range(0, n_tasks, shard_size)):
        chunk = made[start : start + shard_size]
        paths = [tmp_path / f"tasks-{number}.parquet", tmp_path / f"scored-{number}.parquet"]
        tasks, candidates = [t for t, _ in chunk], [c for _, cs in chunk for c in cs]
        pq.write_table(records_to_table("toolpref/task.v1", tasks), paths[0])
        pq.write_table(records_to_table("toolpref/candidate.v1", candidates), paths[1])
        shards.append(pipeline.ShardInputs(*paths))
    return shards


def select(shards: list, config: PairingConfig, work: Path, rows_per_part: int = 50_000):
    selector = pipeline.Selector(config=config, work_dir=work, rows_per_part=rows_per_part)
    for shard in shards:
        selector.add(shard)
    return selector.finish()


def read_all(paths: list[Path], schema_id: str) -> list[dict]:
    return [r for p in paths for r in table_to_records(schema_id, pq.read_table(p))]


@pytest.mark.parametrize(
    ("n_tasks", "shard_size", "rows_per_part", "config"),
    [
        (1200, 100, 50_000, PairingConfig()),
        (1200, 37, 64, PairingConfig(min_margin=0.3, max_bucket_share=0.1, seed=7)),
        (300, 1000, 10, PairingConfig(max_pairs_per_task=1, seed=3)),
        (40, 1, 2, PairingConfig(min_margin=0.0)),
        (5, 2, 50_000, PairingConfig(min_margin=1.0)),  # no pair is wide enough: nothing left
    ],
)
def test_streamed_selection_equals_the_in_memory_one(
    tmp_path: Path, n_tasks: int, shard_size: int, rows_per_part: int, config: PairingConfig
) -> None:
    shards = write_shards(tmp_path, n_tasks, shard_size, seed=n_tasks + shard_size)
    expected = reference_select(
        read_all([s.tasks for s in shards], "toolpref/task.v1"),
        read_all([s.candidates for s in shards], "toolpref/candidate.v1"),
        config,
    )
    work = tmp_path / "work"
    work.mkdir()
    got = select(shards, config, work, rows_per_part)
    assert list(got.rows) == expected["rows"]
    assert got.counts == expected["counts"]
    assert got.quarantined == expected["quarantined"]
    assert got.balance == expected["balance"]
    assert got.labels == expected["labels"]
    if len(expected["rows"]) > rows_per_part:
        assert len(got.rows.files) > 1, "the rows must be spread over several parts"


def test_a_candidate_outside_its_task_shard_is_refused(tmp_path: Path) -> None:
    shards = write_shards(tmp_path, 20, 10, seed=1)
    swapped = [pipeline.ShardInputs(shards[0].tasks, shards[1].candidates), shards[1]]
    with pytest.raises(ValueError, match="not in their task shard"):
        select(swapped, PairingConfig(), tmp_path)


def test_a_shard_without_candidates_is_skipped(tmp_path: Path) -> None:
    shards = write_shards(tmp_path, 30, 10, seed=2)
    empty = tmp_path / "empty.parquet"
    pq.write_table(records_to_table("toolpref/candidate.v1", []), empty)
    shards[1] = pipeline.ShardInputs(shards[1].tasks, empty)
    got = select(shards, PairingConfig(), tmp_path)
    kept = {r["task_id"] for r in got.rows}
    assert kept and not kept & {
        t["task_id"] for t in read_all([shards[1].tasks], "toolpref/task.v1")
    }


@pytest.mark.parametrize(
    ("index", "expected"),
    [
        (0, 0),
        (-1, 6),
        (slice(2, 5), [2, 3, 4]),
        (slice(None), [0, 1, 2, 3, 4, 5, 6]),
        (slice(5, 100), [5, 6]),
        (slice(4, 2), []),
        (7, IndexError),
        (-8, IndexError),
        (slice(0, 6, 2), ValueError),
    ],
)
def test_critique_rows_read_back_like_a_list(tmp_path: Path, index, expected) -> None:
    rows = [_row(n) for n in range(7)]
    files = []
    for number, part in enumerate([rows[:3], rows[3:4], rows[4:]]):
        files.append(tmp_path / f"part-{number}.parquet")
        pq.write_table(records_to_table("toolpref/critique.v1", part), files[-1])
    stored = CritiqueRows(files, [3, 1, 3])
    assert len(stored) == 7 and list(stored) == rows
    if isinstance(expected, type):
        with pytest.raises(expected):
            stored[index]
    elif isinstance(expected, list):
        assert [r["label"] for r in stored[index]] == expected
    else:
        assert stored[index]["label"] == expected


def _row(label: int) -> dict:
    return {"row_id": f"r{label}", "label": label, "prompt": [{"role": "user", "content": "q"}]}
