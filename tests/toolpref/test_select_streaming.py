"""Selection streamed shard by shard: its result does not depend on how the run was cut into
shards or parts, and every kept row obeys the selection rules.

The rules are checked on the output itself (margins, both orders of each pair, the balance
quota, counts that add up, schema-breaking rows quarantined), not against a second copy of
the selection code.
"""

from __future__ import annotations

import random
from collections import Counter
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from datagen.generators.toolpref import pipeline
from datagen.generators.toolpref.critique_rows import CritiqueConfig, CritiqueRows
from datagen.generators.toolpref.pairs import PairingConfig
from datagen.schemas import records_to_table, table_to_records

SCORES = [0.0, 0.25, 0.5, 0.75, 1.0, 1.0]


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
    for c in candidates:
        c["valid"] = c["score"] == 1.0
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


def select(
    shards: list,
    config: PairingConfig,
    work: Path,
    rows_per_part: int = 50_000,
    critique: CritiqueConfig | None = None,
):
    selector = pipeline.Selector(
        config=config, work_dir=work, rows_per_part=rows_per_part, critique=critique
    )
    for shard in shards:
        selector.add(shard)
    return selector.finish()


def read_all(paths: list[Path], schema_id: str) -> list[dict]:
    return [r for p in paths for r in table_to_records(schema_id, pq.read_table(p))]


CONFIGS = [
    PairingConfig(),
    PairingConfig(min_margin=0.3, max_bucket_share=0.1, seed=7),
    PairingConfig(max_pairs_per_task=1, seed=3),
    PairingConfig(min_margin=0.0),
]


def _selected(tmp_path: Path, name: str, shard_size: int, rows_per_part: int, config):
    folder = tmp_path / name
    folder.mkdir()
    shards = write_shards(folder, 400, shard_size, seed=11)
    work = folder / "work"
    work.mkdir()
    return select(shards, config, work, rows_per_part)


@pytest.mark.parametrize("config", CONFIGS)
def test_selection_does_not_depend_on_shards_or_parts(tmp_path: Path, config) -> None:
    cuts = [(400, 50_000), (37, 64), (1, 7)]
    results = [_selected(tmp_path, f"cut{i}", *cut, config) for i, cut in enumerate(cuts)]
    first = results[0]
    for other in results[1:]:
        assert list(other.rows) == list(first.rows)
        assert (other.counts, other.quarantined) == (first.counts, first.quarantined)
        assert (other.balance, other.labels) == (first.balance, first.labels)
    assert len(results[1].rows.files) > 1, "64 rows per part must spread the rows"


@pytest.mark.parametrize("config", CONFIGS)
def test_every_kept_row_obeys_the_selection_rules(tmp_path: Path, config) -> None:
    got = _selected(tmp_path, "run", 37, 50_000, config)
    rows, quarantined = list(got.rows), got.quarantined
    assert all(c.balanced for c in got.counts)
    counts = {c.stage: c for c in got.counts}
    assert counts["critique"].n_out == len(rows)
    assert counts["critique"].n_quarantined == len(quarantined)
    assert counts["critique"].n_in == 2 * counts["balance"].n_out
    every = rows + [q.record for q in quarantined]
    by_pair = Counter(r["pair_id"] for r in every)
    assert set(by_pair.values()) <= {2}, "each pair appears once in each order"
    for row in every:
        chosen, rejected = (row["score_1"], row["score_2"])[:: 1 if row["label"] == 1 else -1]
        assert chosen - rejected >= config.min_margin - 1e-9, row["row_id"]
    per_task = Counter(r["task_id"] for r in every)
    if config.max_pairs_per_task:
        assert max(per_task.values()) <= 2 * config.max_pairs_per_task
    quota = got.balance.quota
    assert max(got.balance.after.values()) <= quota
    assert all(q.reason.startswith("schema_violation: score_") for q in quarantined)
    assert 1.5 not in {r["score_1"] for r in rows} | {r["score_2"] for r in rows}
    assert got.labels == {"1": sum(r["label"] == 1 for r in rows), "2": len(rows) - got.labels["1"]}


def test_swap_keeps_one_row_of_each_kept_pair_with_labels_balanced_over_the_run(
    tmp_path: Path,
) -> None:
    both = _selected(tmp_path, "both", 37, 50_000, PairingConfig())
    shards = write_shards(tmp_path, 400, 37, seed=11)
    (tmp_path / "swap").mkdir()
    swapping = CritiqueConfig(orders="swap")
    swap = select(shards, PairingConfig(), tmp_path / "swap", critique=swapping)
    rows = list(swap.rows)
    counts = {c.stage: c for c in swap.counts}
    assert counts["critique"].n_in == counts["balance"].n_out
    assert counts["critique"].n_out + counts["critique"].n_quarantined == counts["critique"].n_in
    assert len({r["pair_id"] for r in rows}) == len(rows)
    assert abs(swap.labels["1"] - swap.labels["2"]) <= 1 + len(swap.quarantined)
    assert set(map(str, rows)) <= set(map(str, both.rows))  # the same rows, one order each


def test_the_widest_margin_keeps_only_right_against_wrong(tmp_path: Path) -> None:
    got = _selected(tmp_path, "run", 50, 50_000, PairingConfig(min_margin=1.0))
    rows = list(got.rows)
    assert rows and {(r["score_1"], r["score_2"]) for r in rows} == {(1.0, 0.0), (0.0, 1.0)}


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
