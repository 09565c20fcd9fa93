"""ToolRM's pairing and balanced multi-dimensional sampling: complexity, intensity bins,
source × intensity groups filled evenly to a target, the most complex tasks first."""

from __future__ import annotations

from collections import Counter

import pytest

from datagen.generators.toolpref import pipeline
from datagen.generators.toolpref.pairs import (
    PairingConfig,
    balance_pairs,
    intensity_bin,
    make_pairs,
    pair_statistics,
    task_complexity,
)

TASK = {
    "task_id": "t1",
    "source": "xlam.jsonl",
    "category": "xlam",
    "messages": [{"role": "user", "content": "weather in Oslo"}],
    "tools": [{"name": "w", "parameters": {"type": "dict", "properties": {}}}],
    "ground_truth": [{"w": {"city": ["Oslo"], "unit": ["c"]}}],
}


def cand(cid: str, score: float, response: str) -> dict:
    return {
        "candidate_id": cid, "task_id": "t1", "sample_index": int(cid[1:]), "score": score,
        "response": response, "reason": "ok" if score == 1 else "wrong_arguments",
    }  # fmt: skip


@pytest.mark.parametrize(
    ("ground_truth", "complexity"),
    [
        ([], 0),
        ([{"f": {}}], 1),
        ([{"f": {"a": [1], "b": [2]}}], 3),
        ([{"f": {"a": [1]}}, {"g": {"b": [1], "c": [2], "d": [3]}}], 6),
    ],
)
def test_task_complexity_counts_calls_and_arguments(ground_truth, complexity) -> None:
    assert task_complexity(ground_truth) == complexity


@pytest.mark.parametrize(
    ("margin", "name"),
    [(0.05, "0.0-0.1"), (0.1, "0.1-0.2"), (0.3, "0.3-0.4"), (0.7 - 0.4, "0.3-0.4"),
     (0.99, "0.9-1.0"), (1.0, "0.9-1.0")],
)  # fmt: skip
def test_intensity_falls_in_ten_equal_bins(margin: float, name: str) -> None:
    assert intensity_bin(margin) == name


def test_every_pair_with_a_score_gap_is_kept_and_ties_are_not() -> None:
    candidates = [cand("c0", 1.0, "a"), cand("c1", 0.5, "b"), cand("c2", 0.5, "c"),
                  cand("c3", 0.0, "d")]  # fmt: skip
    pairs, rejected = make_pairs(TASK, candidates, config=PairingConfig())
    found = {(p["chosen_id"], p["rejected_id"]) for p in pairs}
    assert found == {("c0", "c1"), ("c0", "c2"), ("c0", "c3"), ("c1", "c3"), ("c2", "c3")}
    assert rejected == 1  # c1 and c2 tie
    assert {p["complexity"] for p in pairs} == {3}
    assert {p["intensity"] for p in pairs} == {"0.5-0.6", "0.9-1.0"}


def _pair(index: int, source: str, intensity: str, complexity: int = 1) -> dict:
    return {"pair_id": f"{source}-{intensity}-{index:03d}", "source": source,
            "intensity": intensity, "category": "c", "complexity": complexity}  # fmt: skip


def test_a_target_fills_source_by_intensity_groups_evenly() -> None:
    pairs = [_pair(i, "a", "0.9-1.0") for i in range(40)]
    pairs += [_pair(i, "a", "0.1-0.2") for i in range(3)]
    pairs += [_pair(i, "b", "0.9-1.0") for i in range(12)]
    pairs += [_pair(i, "b", "0.4-0.5") for i in range(9)]
    kept, report = balance_pairs(pairs, config=PairingConfig(target_pairs=20))
    groups = Counter(f"{p['source']}/{p['intensity']}" for p in kept)
    assert len(kept) == 20
    assert groups["a/0.1-0.2"] == 3  # all it has
    assert sorted(groups.values()) == [3, 5, 6, 6]  # the rest as even as integers allow
    assert "groups below the even share of 5: a/0.1-0.2 3/5" in report.note
    assert report.by_dimension["source"] == {"a": 9, "b": 11}


def test_a_target_larger_than_the_pairs_reports_the_shortfall() -> None:
    pairs = [_pair(i, "a", "0.9-1.0") for i in range(4)] + [_pair(0, "b", "0.2-0.3")]
    kept, report = balance_pairs(pairs, config=PairingConfig(target_pairs=10))
    assert len(kept) == 5
    assert report.note.startswith("target 10: kept 5, short by 5")


def test_within_a_group_the_most_complex_tasks_come_first() -> None:
    pairs = [_pair(i, "a", "0.9-1.0", complexity=i) for i in range(10)]
    kept, _ = balance_pairs(pairs, config=PairingConfig(target_pairs=3))
    assert sorted(p["complexity"] for p in kept) == [7, 8, 9]


def test_without_a_target_no_group_holds_more_than_the_share() -> None:
    pairs = [_pair(i, "a", "0.9-1.0") for i in range(40)]
    pairs += [_pair(i, "b", s) for s in ("0.1-0.2", "0.5-0.6", "0.7-0.8") for i in range(5)]
    kept, report = balance_pairs(pairs, config=PairingConfig(max_bucket_share=0.4))
    groups = Counter(f"{p['source']}/{p['intensity']}" for p in kept)
    assert groups["a/0.9-1.0"] == report.quota == 10 and len(kept) == 25


def test_pair_statistics_cover_what_the_paper_reports() -> None:
    pairs = [
        {"source": "a", "chosen_score": 1.0, "rejected_score": 0.0, "complexity": 3, "turns": 1},
        {"source": "b", "chosen_score": 0.5, "rejected_score": 0.25, "complexity": 9, "turns": 5},
        {"source": "b", "chosen_score": 0.75, "rejected_score": 0.5, "complexity": 0, "turns": 3},
    ]
    assert pair_statistics(pairs) == {
        "pairs": 3,
        "chosen_score": [0.5, 1.0],
        "rejected_score": [0.0, 0.5],
        "complexity": [0, 9],
        "conversation_messages": {"min": 1, "median": 3, "max": 5},
        "sources": 2,
    }
    assert pair_statistics([]) == {"pairs": 0}


def test_a_task_over_the_complexity_cap_is_dropped_and_counted() -> None:
    calls = [{"f": {f"a{i}": [i] for i in range(9)}} for _ in range(5)]  # 5 × (1 + 9) = 50
    heavy = TASK | {"task_id": "t2", "ground_truth": [*calls, {"g": {}}]}  # 51
    light = TASK | {"ground_truth": calls}
    candidates = [
        cand(f"c{i}", score, f"r{i}") | {"task_id": task_id, "valid": score == 1}
        for task_id in ("t1", "t2")
        for i, score in enumerate((1.0, 0.0))
    ]
    tally: Counter[str] = Counter()
    pairs = pipeline._pair_shard([light, heavy], candidates, config=PairingConfig(), tally=tally)
    assert {p["task_id"] for p in pairs} == {"t1"} and pairs[0]["complexity"] == 50
    assert tally["too_complex"] == 1 and tally["informative"] == 1
