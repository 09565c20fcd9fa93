"""TRBench-BFCL's pairing: the ground truth against each distinct rejected answer, or a reason."""

from __future__ import annotations

import pytest

from datagen.generators.toolpref.generate import GROUND_TRUTH
from datagen.generators.trbench.pairs import (
    ALL_ACCEPTED,
    GROUND_TRUTH_REJECTED,
    NO_GROUND_TRUTH,
    bench_pairs,
)

TASK = {
    "task_id": "bfcl/simple_python_0",
    "source": "bfcl",
    "category": "simple_python",
    "ground_truth": [{"area": {"base": [10], "unit": ["units", ""]}}],
}
TRUTH_TEXT = '[{"arguments": {"base": 10}, "name": "area"}]'


def candidate(index: int, response: str, *, valid: bool, error_type: str = "") -> dict:
    truth = index == 9
    return {
        "candidate_id": f"{TASK['task_id']}#{GROUND_TRUTH if truth else index}",
        "task_id": TASK["task_id"],
        "sample_index": index,
        "engine": GROUND_TRUTH if truth else "embedded",
        "valid": valid,
        "score": 1.0 if valid else 0.4,
        "response": response,
        "error_type": error_type or ("ok" if valid else "value_error:others"),
        "reason": "ok" if valid else "parameter 'base' has value 5",
    }


GT = candidate(9, TRUTH_TEXT, valid=True)
WRONG = candidate(0, '[{"arguments": {"base": 5}, "name": "area"}]', valid=False)
WRONG_AGAIN = candidate(2, WRONG["response"], valid=False)
WRONG_NAME = candidate(
    1, '[{"arguments": {}, "name": "volume"}]', valid=False, error_type="wrong_func_name"
)
RIGHT = candidate(3, TRUTH_TEXT, valid=True)


@pytest.mark.parametrize(
    ("candidates", "rejected_ids", "reason"),
    [
        ([WRONG, RIGHT, GT], ["#0"], None),
        ([WRONG_AGAIN, WRONG_NAME, WRONG, GT], ["#0", "#1"], None),  # sample order, deduplicated
        ([RIGHT, GT], [], ALL_ACCEPTED),
        (
            [WRONG, {**GT, "valid": False, "error_type": "type_error:simple"}],
            [],
            GROUND_TRUTH_REJECTED,
        ),
        ([WRONG, RIGHT], [], NO_GROUND_TRUTH),
        ([], [], NO_GROUND_TRUTH),
    ],
)
def test_pairs_or_the_reason_there_are_none(candidates, rejected_ids, reason) -> None:
    pairs, why = bench_pairs(TASK, candidates)
    assert why == reason
    assert [p["rejected_id"].removeprefix(TASK["task_id"]) for p in pairs] == rejected_ids


def test_a_pair_prefers_the_ground_truth_and_keeps_the_error_type() -> None:
    (pair,) = bench_pairs(TASK, [WRONG_NAME, GT])[0]
    assert pair["chosen_text"] == TRUTH_TEXT and pair["chosen_score"] == 1.0
    assert pair["rejected_text"] == WRONG_NAME["response"] and pair["rejected_score"] == 0.4
    assert pair["error_type"] == "wrong_func_name"
    assert pair["category"] == "simple_python" and pair["source"] == "bfcl"
    assert pair["complexity"] == 3 and pair["intensity"] == "0.6-0.7"
    assert pair["pair_id"] == f"{TASK['task_id']}|{GT['candidate_id']}>{WRONG_NAME['candidate_id']}"
