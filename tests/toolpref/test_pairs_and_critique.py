"""Difficulty filter, pairing, balancing and critique rows on hand-made candidates."""

from __future__ import annotations

from collections import Counter

import pytest

from datagen.generators.toolpref.critique_rows import critique_rows
from datagen.generators.toolpref.pairs import (
    PairingConfig,
    balance_pairs,
    complexity_bucket,
    difficulty_drops,
    intensity_bucket,
    make_pairs,
)
from datagen.verifiers.critique import critique_reward

TASK = {
    "task_id": "t1",
    "source": "bfcl",
    "category": "simple_python",
    "messages": [{"role": "user", "content": "area of base 10 height 5"}],
    "tools": [{"name": "area", "parameters": {"type": "dict", "properties": {}}}],
    "ground_truth": [{"area": {"base": [10], "height": [5]}}],
}


def cand(cid: str, score: float, response: str, task_id: str = "t1", index: int = 0) -> dict:
    return {
        "candidate_id": cid, "task_id": task_id, "sample_index": index, "score": score,
        "response": response, "reason": "ok" if score == 1 else "value_error:others",
    }  # fmt: skip


@pytest.mark.parametrize(
    ("valid", "dropped"),
    [
        ([True, True, True, True], "too_easy"),
        ([False, False, False, False], "too_difficult"),
        ([True], "too_easy"),
        ([False], "too_difficult"),
        ([True, False], None),
        ([False, False, False, True], None),
    ],
)
def test_the_difficulty_filter_keeps_a_task_with_a_correct_and_a_wrong_candidate(
    valid: list[bool], dropped: str | None
) -> None:
    candidates = [
        cand(f"c{i}", 1.0 if ok else 0.5, str(i)) | {"valid": ok} for i, ok in enumerate(valid)
    ]
    assert difficulty_drops(candidates).get("t1") == dropped


def test_the_difficulty_filter_reads_valid_not_score_gaps() -> None:
    partial = [cand("a", 0.5, "x") | {"valid": False}, cand("b", 0.0, "y") | {"valid": False}]
    kept = [cand("c", 1.0, "z", task_id="t2") | {"valid": True},
            cand("d", 0.0, "w", task_id="t2") | {"valid": False}]  # fmt: skip
    assert difficulty_drops(partial + kept) == {"t1": "too_difficult"}


@pytest.mark.parametrize(
    ("ground_truth", "expected"),
    [
        ([{"f": {"a": [1]}}], "single_call_few_args"),
        ([{"f": {"a": [1], "b": [2], "c": [3]}}], "single_call_many_args"),
        ([{"f": {}}, {"g": {}}], "multi_call"),
    ],
)
def test_complexity_bucket(ground_truth: list, expected: str) -> None:
    assert complexity_bucket(ground_truth) == expected


@pytest.mark.parametrize(("margin", "expected"), [(0.1, "slight"), (0.5, "clear"), (0.9, "strong")])
def test_intensity_bucket(margin: float, expected: str) -> None:
    assert intensity_bucket(margin) == expected


def test_pairs_respect_margin_and_skip_identical_responses() -> None:
    candidates = [
        cand("a", 1.0, "same"),
        cand("b", 0.95, "other"),
        cand("c", 0.2, "same"),
        cand("d", 0.0, "bad"),
    ]
    pairs, rejected = make_pairs(
        TASK, candidates, config=PairingConfig(min_margin=0.1, max_pairs_per_task=10)
    )
    found = {(p["chosen_id"], p["rejected_id"]) for p in pairs}
    assert found == {
        ("a", "d"),
        ("b", "c"),
        ("b", "d"),
        ("c", "d"),
    }  # a>c identical, a>b margin too small
    assert rejected == 6 - len(pairs)
    assert all(p["chosen_score"] - p["rejected_score"] >= 0.1 for p in pairs)


def test_pairs_per_task_are_capped_keeping_the_strongest() -> None:
    candidates = [cand(str(i), i / 10, f"r{i}") for i in range(6)]
    pairs, _ = make_pairs(TASK, candidates, config=PairingConfig(max_pairs_per_task=2))
    assert len(pairs) == 2
    assert pairs[0]["margin"] == pytest.approx(0.5)


def _pair(i: int, complexity: str, intensity: str) -> dict:
    return {
        "pair_id": f"p{i}",
        "complexity": complexity,
        "intensity": intensity,
        "source": "bfcl",
        "category": "c",
    }


def test_balance_caps_the_dominant_bucket_and_reports_the_distribution() -> None:
    pairs = [_pair(i, "multi_call", "strong") for i in range(40)]
    pairs += [_pair(100 + i, "single_call_few_args", "slight") for i in range(5)]
    pairs += [_pair(200 + i, "single_call_many_args", "clear") for i in range(3)]
    kept, report = balance_pairs(pairs, config=PairingConfig(max_bucket_share=0.5))
    by_bucket = Counter(p["complexity"] for p in kept)
    assert by_bucket["multi_call"] == report.quota < 40
    assert by_bucket["multi_call"] <= 0.5 * len(kept)
    assert by_bucket["single_call_few_args"] == 5 and by_bucket["single_call_many_args"] == 3
    assert report.by_dimension["complexity"] == dict(sorted(by_bucket.items()))
    again, _ = balance_pairs(list(reversed(pairs)), config=PairingConfig(max_bucket_share=0.5))
    assert [p["pair_id"] for p in again] == [p["pair_id"] for p in kept]


def test_balance_keeps_a_single_bucket_whole() -> None:
    pairs = [_pair(i, "multi_call", "strong") for i in range(7)]
    kept, report = balance_pairs(pairs, config=PairingConfig(max_bucket_share=0.25))
    assert len(kept) == 7 and report.share == 1.0


def test_critique_rows_come_in_both_orders_with_verifiable_labels() -> None:
    pairs, _ = make_pairs(
        TASK, [cand("a", 1.0, "good"), cand("b", 0.3, "bad")], config=PairingConfig()
    )
    rows = critique_rows(pairs[0], TASK)
    assert [r["label"] for r in rows] == [1, 2]
    assert rows[0]["response_1"] == rows[1]["response_2"] == "good"
    for row in rows:
        assert critique_reward(row["answer"], row["label"]).value == 1.0
        assert critique_reward(row["answer"], 3 - row["label"]).value == 0.0
        assert [m["role"] for m in row["prompt"]] == ["user"]
        assert "good" in row["prompt"][0]["content"] and "bad" in row["prompt"][0]["content"]
