"""Difficulty filter, pairing and critique rows on hand-made candidates (balancing:
test_balance.py)."""

from __future__ import annotations

import pytest

from datagen.generators.toolpref.critique_rows import critique_rows
from datagen.generators.toolpref.pairs import (
    PairingConfig,
    difficulty_drops,
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
